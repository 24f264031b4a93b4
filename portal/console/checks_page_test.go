package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/checks"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/workflow"
	"gongkai/portal/console"
)

type fakeFit struct{ asked atomic.Int32 }

func (f *fakeFit) Retrain() { f.asked.Add(1) }
func (f *fakeFit) Status() checks.FitStatus {
	return checks.FitStatus{TrainedAt: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), Info: &checks.FitInfo{Examples: 9850, Columns: 21},
		HeldOut: &checks.FitReport{Entries: 1969, Accuracy: 0.9954, FlaggedRate: 0.001}}
}

func TestChecksPageRetrains(t *testing.T) {
	st := storetest.SQLite(t)
	storetest.Unit(t, st, "fgw")
	fs, _ := files.New(t.TempDir())
	acc := auth.NewAccounts(st, nil)
	fit := &fakeFit{}
	c := console.New(console.Deps{Store: st, Files: fs, Workflow: workflow.New(st, fs, nil), Accounts: acc, Tokens: auth.NewVerifier(st, nil), ColumnFit: fit})
	ts := httptest.NewServer(mount(c))
	t.Cleanup(ts.Close)
	f := &fixture{ts: ts, st: st, acc: acc}
	f.addUser(t, "rv", "reviewer", "")
	f.addUser(t, "ed", "editor", "fgw")
	rv := f.browser(t, "rv", testPassword)
	page := rv.get("/console/checks", http.StatusOK)
	for _, want := range []string{"栏目归属模型", "9850 条已发布信息", "99.5%", "1969 条留出信息", "2026年12月1日"} {
		if !strings.Contains(page, want) {
			t.Errorf("checks page lacks %q", want)
		}
	}
	rv.post("/console/checks/retrain", url.Values{}, http.StatusOK)
	if fit.asked.Load() != 1 {
		t.Errorf("retrain asked %d times", fit.asked.Load())
	}
	ed := f.browser(t, "ed", testPassword)
	ed.post("/console/checks/retrain", url.Values{}, http.StatusForbidden)
	if fit.asked.Load() != 1 {
		t.Error("a unit's editor retrained the model")
	}
	recs, _, _ := st.AuditRecords(t.Context(), store.AuditQuery{Action: "checks.retrain"})
	if len(recs) != 1 {
		t.Errorf("%d retrain records", len(recs))
	}
}
