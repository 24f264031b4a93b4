package portal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

// The authorisation rows of monthly spot checks and quarterly bulletins:
// the office's alone, the reviewer's token included for the API.
func init() {
	matrix["console.spotchecks"] = want{ok: office, status: 200}
	matrix["console.spotchecks.draw"] = want{ok: office, status: 303}
	matrix["console.spotchecks.grade"] = want{ok: office, status: 303}
	matrix["console.bulletins"] = want{ok: office, status: 200}
	matrix["console.bulletins.generate"] = want{ok: office, status: 303}
	matrix["console.bulletin"] = want{ok: office, status: 200}
	matrix["console.bulletin.docx"] = want{ok: office, status: 200}
	matrix["console.bulletin.xlsx"] = want{ok: office, status: 200}
	matrix["api.spotchecks"] = want{ok: kinds(office, []callerKind{tokRv}), status: 200}
	matrix["api.bulletin"] = want{ok: kinds(office, []callerKind{tokRv}), status: 200}

	// A month drawn again by each office caller (nothing is graded in it).
	requestFills["console.spotchecks.draw"] = func(_ *authzFixture, _ *caller, _ map[string]string, form url.Values) {
		form.Set("month", "2025-12")
	}
	// Each grade is of a fresh sample: a month of its own with one entry.
	requestFills["console.spotchecks.grade"] = func(f *authzFixture, _ *caller, _ map[string]string, form url.Values) {
		m, id := f.drawnSample()
		form.Set("month", m.String())
		form.Set("entry", id)
		form.Set("grade", "pass")
		form.Set("seen", "0")
	}
	requestFills["console.bulletins.generate"] = func(_ *authzFixture, _ *caller, _ map[string]string, form url.Values) {
		form.Set("quarter", matrixQuarter.String())
	}
	for _, name := range []string{"console.bulletin", "console.bulletin.docx", "console.bulletin.xlsx", "api.bulletin"} {
		requestFills[name] = func(f *authzFixture, _ *caller, vars map[string]string, _ url.Values) {
			f.archivedBulletin()
			vars["quarter"] = matrixQuarter.String()
		}
	}
}

// matrixQuarter has ended by the wall clock the served console reads.
var matrixQuarter = supervise.QuarterOf(time.Now()).Prev()

// spotMonths counts the months drawnSample has used: one each.
var spotMonths atomic.Int64

var matrixOffice = auth.Caller{P: auth.Principal{Login: "setup-rv", Role: auth.RoleReviewer}}

func (f *authzFixture) supervisor() *supervise.Service { return supervise.New(f.st, nil, nil) }

// drawnSample publishes an entry of fgw in a month of its own, long past,
// and draws that month.
func (f *authzFixture) drawnSample() (supervise.Month, string) {
	f.t.Helper()
	ctx := context.Background()
	n := int(spotMonths.Add(1))
	m := supervise.Month{Year: 2010 + n/12, Mon: time.Month(n%12 + 1)}
	pub := m.Start().Add(36 * time.Hour)
	e := catalog.Entry{ID: fmt.Sprintf("fgw-spot-%d", n), Unit: "fgw", Column: "tzgg", Title: "抽查矩阵信息", Status: catalog.StatusPublished,
		PublishedAt: &pub, BodyHTML: "<p>正文</p>"}
	if _, err := f.st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "setup"}}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.supervisor().DrawMonth(ctx, matrixOffice, m); err != nil {
		f.t.Fatal(err)
	}
	return m, e.ID
}

// archivedBulletin archives the matrix quarter's bulletin once.
func (f *authzFixture) archivedBulletin() {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.st.Bulletin(ctx, matrixQuarter.String()); err == nil {
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		f.t.Fatal(err)
	}
	if _, err := f.supervisor().GenerateBulletin(ctx, matrixOffice, matrixQuarter); err != nil {
		f.t.Fatal(err)
	}
}
