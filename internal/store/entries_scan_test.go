package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestScanPublishedEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "czj")
		var ws []store.EntryWrite
		for i := range 7 {
			unit := "fgw"
			if i%2 == 1 {
				unit = "czj"
			}
			e := entry(fmt.Sprintf("e%02d", i), unit, "zcwj")
			if i == 3 {
				e.Status = catalog.StatusWithdrawn
			}
			if i == 4 {
				e.Status = catalog.StatusDraft
			}
			if i == 5 {
				e.Attachments = []catalog.Attachment{
					{Name: "a.pdf", SHA256: "aa", Size: 1, MediaType: "application/pdf"},
					{Name: "b.docx", SHA256: "bb", Size: 2, MediaType: "application/msword"},
				}
			}
			ws = append(ws, write(e, fmt.Sprint(i)))
		}
		if _, err := st.SaveEntries(ctx, ws); err != nil {
			t.Fatal(err)
		}

		var got []string
		after := ""
		for {
			page, err := st.ScanPublishedEntries(ctx, after, 2, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				got = append(got, e.ID)
				if e.Revision != 1 || e.UpdatedAt.IsZero() || e.Stamp() == "" {
					t.Errorf("%s: revision %d, updated %v", e.ID, e.Revision, e.UpdatedAt)
				}
				if e.ID == "e05" && (len(e.Attachments) != 2 || e.Attachments[0].Name != "a.pdf" || e.Attachments[1].SHA256 != "bb") {
					t.Errorf("e05 attachments: %+v", e.Attachments)
				}
			}
			after = page[len(page)-1].ID
		}
		if fmt.Sprint(got) != "[e00 e01 e02 e05 e06]" {
			t.Errorf("scan = %v", got)
		}
		czj, err := st.ScanPublishedEntries(ctx, "", 100, "czj")
		if err != nil || len(czj) != 2 {
			t.Errorf("czj scan: %d, %v", len(czj), err)
		}

		byID, err := st.EntriesByID(ctx, []string{"e03", "e04", "e05", "nope"})
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]string{}
		for _, e := range byID {
			status[e.ID] = e.Status
		}
		if len(byID) != 3 || status["e03"] != catalog.StatusWithdrawn || status["e04"] != catalog.StatusDraft || status["e05"] != catalog.StatusPublished {
			t.Errorf("by id: %v", status)
		}

		stamps, err := st.PublishedStamps(ctx, "e01", 10)
		if err != nil || len(stamps) != 3 || stamps[0].ID != "e02" {
			t.Fatalf("stamps: %+v, %v", stamps, err)
		}
		before := stamps[0].Stamp
		time.Sleep(2 * time.Millisecond)
		changed := entry("e02", "fgw", "zcwj")
		changed.Title = "改过的标题"
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(changed, "changed")}); err != nil {
			t.Fatal(err)
		}
		stamps, _ = st.PublishedStamps(ctx, "e01", 1)
		if stamps[0].Stamp == before {
			t.Errorf("stamp did not change on update: %s", before)
		}

		names, err := st.ColumnNames(ctx)
		if err != nil || names["zcwj"] == "" || names["tzgg"] == "" {
			t.Errorf("column names: %v, %v", names, err)
		}
	})
}
