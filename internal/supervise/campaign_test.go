package supervise_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

func templateLeaves() []catalog.Column {
	var out []catalog.Column
	for _, c := range catalog.DefaultTemplate().Columns {
		if c.Leaf {
			out = append(out, c)
		}
	}
	return out
}

func TestCampaignFormParse(t *testing.T) {
	ok := supervise.CampaignForm{Title: " 目录更新专项 ", Start: "2026-07-01", Deadline: "2026-07-15", Columns: []string{"zcwj", "tzgg", "zcwj"}}
	n, err := ok.Parse(templateLeaves())
	if err != nil {
		t.Fatal(err)
	}
	if n.Title != "目录更新专项" || strings.Join(n.Columns, ",") != "tzgg,zcwj" {
		t.Errorf("parsed %q %v: want the title trimmed and the columns once each, in the template's order", n.Title, n.Columns)
	}
	if got := n.StartsAt.Format(time.RFC3339Nano); got != "2026-07-01T00:00:00+08:00" {
		t.Errorf("starts at %s", got)
	}
	if got := n.Deadline.Format(time.RFC3339Nano); got != "2026-07-15T23:59:59.999+08:00" {
		t.Errorf("deadline %s: want the end of the day", got)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*supervise.CampaignForm)
		field string
	}{
		{"no title", func(f *supervise.CampaignForm) { f.Title = "  " }, "title"},
		{"long title", func(f *supervise.CampaignForm) { f.Title = strings.Repeat("长", 101) }, "title"},
		{"no start", func(f *supervise.CampaignForm) { f.Start = "" }, "start"},
		{"bad start", func(f *supervise.CampaignForm) { f.Start = "2026-02-30" }, "start"},
		{"bad deadline", func(f *supervise.CampaignForm) { f.Deadline = "7月15日" }, "deadline"},
		{"deadline first", func(f *supervise.CampaignForm) { f.Deadline = "2026-06-30" }, "deadline"},
		{"no columns", func(f *supervise.CampaignForm) { f.Columns = nil }, "columns"},
		{"unknown column", func(f *supervise.CampaignForm) { f.Columns = []string{"tzgg", "gkml"} }, "columns"}, // the group holds no entries
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			tc.edit(&f)
			_, err := f.Parse(templateLeaves())
			var fe catalog.FieldErrors
			if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != tc.field {
				t.Errorf("got %v, want one problem with %s", err, tc.field)
			}
		})
	}
}

// A campaign's progress unit by unit: only entries published from its
// start count, and once the deadline passed only those standing at the
// deadline; a column a unit's tree no longer has is not asked of it; a
// unit with none of the columns is left out of the count.
func TestCampaignProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		for _, u := range []string{"fgw", "jtj", "gxq", "hb", "zz"} {
			storetest.Unit(t, st, u)
		}
		remove := func(unit, col string) {
			t.Helper()
			if _, err := st.ChangeTree(ctx, catalog.ColumnChange{Unit: unit, Action: catalog.FilingRemove, Column: catalog.Column{Code: col}, Reason: "不再发布", By: "test"}, false); err != nil {
				t.Fatal(err)
			}
		}
		remove("gxq", "zcwj")
		remove("zz", "zcwj")
		remove("zz", "tzgg")
		publish(t, st, "fgw", "tzgg", "2026-07-02 09:00")
		publish(t, st, "fgw", "zcwj", "2026-07-10 09:00")
		publish(t, st, "jtj", "tzgg", "2026-06-30 23:59") // before the start
		publish(t, st, "jtj", "tzgg", "2026-07-16 00:00") // after the deadline
		publish(t, st, "jtj", "zcwj", "2026-07-05 09:00")
		publish(t, st, "jtj", "ggfw", "2026-07-05 09:00")                      // not asked for
		withdraw(t, st, "gxq", "tzgg", "2026-07-03 09:00", "2026-07-20 09:00") // withdrawn after the deadline: counts
		withdraw(t, st, "hb", "tzgg", "2026-07-03 09:00", "2026-07-12 09:00")  // withdrawn before it: does not
		publish(t, st, "hb", "zcwj", "2026-07-04 09:00")

		f.now = day("2026-06-20")
		c, err := f.svc.CreateCampaign(ctx, caller(auth.RoleReviewer, ""), supervise.CampaignForm{Title: "7月目录更新", Start: "2026-07-01",
			Deadline: "2026-07-15", Columns: []string{"tzgg", "zcwj"}})
		if err != nil {
			t.Fatal(err)
		}
		summary := func(p *supervise.CampaignProgress) string {
			var b strings.Builder
			for _, u := range p.Units {
				state := "behind"
				switch {
				case !u.Applies:
					state = "n/a"
				case u.Done:
					state = "done"
				}
				b.WriteString(u.Unit + ":" + state)
				if len(u.Missing) > 0 {
					b.WriteString("(" + strings.Join(u.Missing, "、") + ")")
				}
				b.WriteString(" ")
			}
			return strings.TrimSpace(b.String())
		}
		for _, tc := range []struct {
			now, want          string
			done, total        int
			notStarted, closed bool
		}{
			{"2026-06-20", "fgw:behind(通知公告、政策文件) gxq:behind(通知公告) hb:behind(通知公告、政策文件) jtj:behind(通知公告、政策文件) zz:n/a", 0, 4, true, false},
			{"2026-07-08", "fgw:behind(政策文件) jtj:behind(通知公告) gxq:done hb:done zz:n/a", 2, 4, false, false}, // hb's notice still stands
			{"2026-07-13", "hb:behind(通知公告) jtj:behind(通知公告) fgw:done gxq:done zz:n/a", 2, 4, false, false},
			{"2026-08-01", "hb:behind(通知公告) jtj:behind(通知公告) fgw:done gxq:done zz:n/a", 2, 4, false, true},
		} {
			t.Run(tc.now, func(t *testing.T) {
				f.now = day(tc.now)
				p, err := f.svc.CampaignProgress(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got := summary(p); got != tc.want {
					t.Errorf("progress\n got %s\nwant %s", got, tc.want)
				}
				if p.Done != tc.done || p.Total != tc.total || p.NotStarted != tc.notStarted || p.Closed != tc.closed {
					t.Errorf("done %d/%d, not started %v, closed %v", p.Done, p.Total, p.NotStarted, p.Closed)
				}
				if tc.closed && !p.AsOf.Equal(c.Deadline()) {
					t.Errorf("counted up to %v, want the deadline", p.AsOf)
				}
			})
		}
		// The list gives every campaign with its progress.
		f.now = day("2026-07-13")
		list, err := f.svc.Campaigns(ctx)
		if err != nil || len(list) != 1 || list[0].Done != 2 || list[0].Total != 4 || list[0].Campaign.Title != "7月目录更新" {
			t.Fatalf("campaigns: %+v, %v", list, err)
		}
		if _, err := f.svc.CampaignProgress(ctx, c.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown campaign: %v", err)
		}
	})
}

// Creating a campaign is the office's, audited with what it asks; anyone
// else is refused and the refusal audited; a bad form changes nothing.
func TestCreateCampaign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = day("2026-06-20")
		form := supervise.CampaignForm{Title: "年中更新", Start: "2026-07-01", Deadline: "2026-07-15", Columns: []string{"gkzn"}}
		_, err := f.svc.CreateCampaign(ctx, caller(auth.RoleEditor, "fgw"), form)
		if !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("an editor creates a campaign: %v", err)
		}
		recs, _, _ := st.AuditRecords(ctx, store.AuditQuery{Action: "campaign.create", Outcome: audit.OutcomeRefused, Size: 5})
		if len(recs) != 1 {
			t.Errorf("the refusal is not audited: %+v", recs)
		}
		bad := form
		bad.Columns = []string{"nope"}
		if _, err := f.svc.CreateCampaign(ctx, caller(auth.RoleAdmin, ""), bad); err == nil {
			t.Fatal("an unknown column was accepted")
		}
		c, err := f.svc.CreateCampaign(ctx, caller(auth.RoleAdmin, ""), form)
		if err != nil {
			t.Fatal(err)
		}
		if c.CreatedBy != "admin" || !c.CreatedAt().Equal(f.now) || strings.Join(c.Columns(), ",") != "gkzn" {
			t.Errorf("stored %+v", c)
		}
		recs, _, _ = st.AuditRecords(ctx, store.AuditQuery{Action: "campaign.create", Outcome: audit.OutcomeOK, Size: 5})
		if len(recs) != 1 || recs[0].ObjectID != fmt.Sprint(c.ID) || !strings.Contains(recs[0].Summary, "年中更新") || !strings.Contains(recs[0].Summary, "gkzn") {
			t.Errorf("audit of the campaign: %+v", recs)
		}
		if all, _ := st.Campaigns(ctx, 0); len(all) != 1 {
			t.Errorf("%d campaigns stored, want 1", len(all))
		}
	})
}
