package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"gongkai/internal/checks"
	"gongkai/internal/config"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
	"gongkai/internal/workflow"
)

const checkAbout = `Runs the quality gate over every published entry — its title, summary,
body and attachments — and reports per unit: how many entries have
findings, blocking and warnings, by rule, and each finding with where it
is. Supervision reads the JSON report.`

// unitCheck is one unit's part of the report.
type unitCheck struct {
	Unit         string         `json:"unit"`
	UnitName     string         `json:"unit_name"`
	Entries      int            `json:"entries"`
	WithFindings int            `json:"entries_with_findings"`
	Blocking     int            `json:"blocking"`
	Warnings     int            `json:"warnings"`
	ByRule       map[string]int `json:"by_rule"`
	Findings     []entryFinding `json:"findings"`
}

type entryFinding struct {
	Entry string `json:"entry"`
	Title string `json:"title"`
	checks.Finding
}

type checkReport struct {
	CheckedAt time.Time    `json:"checked_at"`
	Entries   int          `json:"entries"`
	Seconds   float64      `json:"seconds"`
	Units     []*unitCheck `json:"units"`
	// ColumnFit is the column-fit model's held-out accuracy (null when too
	// few entries are published to train it).
	ColumnFit *checks.FitReport `json:"column_fit"`
}

func runCheck(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "check", "gongkai check --all [--format text|json] [--data DIR | --db URL]", checkAbout)
	cfg.Bind(fs, false)
	all := fs.Bool("all", false, "check every published entry")
	format := fs.String("format", "text", "text or json")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if !*all || fs.NArg() > 0 {
		return fmt.Errorf("%w: say --all (every published entry is checked)", errUsage)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	// The column-fit model is trained afresh on what is published now.
	fit := checks.NewLiveRule("column_fit")
	model, fitRep, err := trainColumnFit(ctx, b.store, nil)
	if err != nil {
		return err
	}
	if model != nil {
		fit.Set(model.Rule(checks.DefaultColumnFitThreshold))
	}
	wf := workflow.New(b.store, b.files, e.log)
	if wf.Gate, err = loadGate(b.cfg, fit); err != nil {
		return err
	}
	rep, err := checkAll(ctx, b.store, wf)
	if err != nil {
		return err
	}
	rep.ColumnFit = fitRep
	if err := storeFindingsSummary(ctx, b.store, rep); err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "unit\tentries\twith findings\tblocking\twarnings\tby rule")
	for _, u := range rep.Units {
		rules := make([]string, 0, len(u.ByRule))
		for r := range u.ByRule {
			rules = append(rules, r)
		}
		sort.Strings(rules)
		by := ""
		for _, r := range rules {
			by += fmt.Sprintf("%s %d  ", r, u.ByRule[r])
		}
		fmt.Fprintf(tw, "%s %s\t%d\t%d\t%d\t%d\t%s\n", u.Unit, u.UnitName, u.Entries, u.WithFindings, u.Blocking, u.Warnings, by)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d published entries checked in %.1fs\n", rep.Entries, rep.Seconds)
	if r := rep.ColumnFit; r != nil {
		fmt.Fprintf(e.stdout, "column fit: held-out top-1 accuracy %.3f over %d entries; %.1f%% of well-placed entries flagged at %.2f\n",
			r.Accuracy, r.Entries, 100*r.FlaggedRate, r.Threshold)
	}
	return nil
}

// checkAll walks every published entry in id order, checks them on every
// core, and gathers the findings per unit.
func checkAll(ctx context.Context, st *store.Store, wf *workflow.Service) (*checkReport, error) {
	start := time.Now()
	units, err := st.Units(ctx)
	if err != nil {
		return nil, err
	}
	rep := &checkReport{CheckedAt: start}
	byUnit := map[string]*unitCheck{}
	for _, u := range units {
		uc := &unitCheck{Unit: u.Code, UnitName: u.Name, ByRule: map[string]int{}, Findings: []entryFinding{}}
		byUnit[u.Code] = uc
		rep.Units = append(rep.Units, uc)
	}
	type result struct {
		unit, id, title string
		fs              []checks.Finding
	}
	ids := make(chan store.IndexEntry, 64)
	results := make(chan result, 64)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ie := range ids {
				d, err := st.Entry(ctx, ie.ID) // with the links it declares, which the rules read
				if err != nil {
					d = store.EntryDetail{Entry: ie.Entry}
				}
				results <- result{ie.Unit, ie.ID, ie.Title, wf.Inspect(ctx, d)}
			}
		}()
	}
	var walkErr error
	go func() {
		defer close(ids)
		after := ""
		for {
			page, err := st.ScanPublishedEntries(ctx, after, 200, "")
			if err != nil {
				walkErr = err
				return
			}
			if len(page) == 0 {
				return
			}
			for _, ie := range page {
				ids <- ie
			}
			after = page[len(page)-1].ID
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		rep.Entries++
		uc := byUnit[r.unit]
		if uc == nil {
			continue
		}
		uc.Entries++
		if len(r.fs) > 0 {
			uc.WithFindings++
		}
		for _, f := range r.fs {
			uc.ByRule[f.Rule]++
			if f.Severity == checks.Blocking {
				uc.Blocking++
			} else {
				uc.Warnings++
			}
			uc.Findings = append(uc.Findings, entryFinding{Entry: r.id, Title: r.title, Finding: f})
		}
	}
	if walkErr != nil {
		return nil, walkErr
	}
	for _, uc := range rep.Units {
		sort.SliceStable(uc.Findings, func(i, j int) bool { return uc.Findings[i].Entry < uc.Findings[j].Entry })
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// storeFindingsSummary leaves each unit's counts for supervision, which
// shows them beside the unit's other figures.
func storeFindingsSummary(ctx context.Context, st *store.Store, rep *checkReport) error {
	sum := map[string]supervise.FindingSummary{}
	for _, u := range rep.Units {
		sum[u.Unit] = supervise.FindingSummary{CheckedAt: rep.CheckedAt, Entries: u.Entries, WithFindings: u.WithFindings,
			Blocking: u.Blocking, Warnings: u.Warnings, ByRule: u.ByRule}
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return st.SetSetting(ctx, supervise.FindingsSettingKey, string(b))
}
