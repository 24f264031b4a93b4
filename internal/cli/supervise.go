package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/supervise"
)

const superviseUsage = "gongkai supervise run [--now DATE] [--format text|json] [--data DIR | --db URL]"

const superviseAbout = `Evaluates the supervision rules as of a date (the end of that day in
China's zone; default: now) and acts on them as the daily run in serve
does: raises a notice for each automatic rule a unit breaks and has no
open notice for, closes answered notices whose problem is gone, and
escalates notices past their deadline. The same date gives the same
answer every time.

json: {"as_of", "notices_raised": [{"unit","rule","number","id","raised_at"}],
       "units": [{"unit","last_publish","overdue_columns","empty_columns",…}],
       "national": {"pass", "items"}}`

func runSupervise(ctx context.Context, e *env, args []string) error {
	return runActions(ctx, e, args, "supervise", superviseUsage, superviseAbout, []action{{"run", superviseRun}})
}

// superviseUnit is one unit in the run's JSON answer.
type superviseUnit struct {
	Unit           string     `json:"unit"`
	Name           string     `json:"unit_name"`
	LastPublish    *time.Time `json:"last_publish"`
	DaysSilent     int        `json:"days_silent"`
	Published      int        `json:"published"`
	Recent         int        `json:"recent"`
	OverdueColumns []string   `json:"overdue_columns"`
	EmptyColumns   []string   `json:"empty_columns"`
	Rules          []string   `json:"rules_broken"`
}

func superviseRun(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "supervise run", superviseUsage, superviseAbout)
	cfg.Bind(fs, false)
	now := fs.String("now", "", "evaluate as of this date (YYYY-MM-DD) or RFC 3339 instant; default: now")
	format := fs.String("format", "text", "text or json")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	asOf := time.Now()
	if *now != "" {
		t, err := supervise.ParseAsOf(*now)
		if err != nil {
			return fmt.Errorf("%w: --now: %v", errUsage, err)
		}
		asOf = t
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	svc := supervise.New(b.store, b.files, e.log)
	var res *supervise.RunResult
	ran, err := b.store.WithJobLock(ctx, supervise.JobName, func(ctx context.Context) error {
		var err error
		res, err = svc.Run(ctx, asOf, supervise.SystemActor)
		return err
	})
	if err != nil {
		return err
	}
	if !ran {
		return fmt.Errorf("another supervision run holds the lock; try again when it has finished")
	}
	rep := res.Report
	if *format == "json" {
		out := struct {
			AsOf     time.Time          `json:"as_of"`
			Raised   []supervise.Raised `json:"notices_raised"`
			Units    []superviseUnit    `json:"units"`
			National supervise.National `json:"national"`
			Totals   supervise.Totals   `json:"totals"`
		}{AsOf: rep.AsOf, Raised: res.Raised, Units: []superviseUnit{}, National: rep.National, Totals: rep.Totals}
		for i := range out.Raised {
			out.Raised[i].RaisedAt = out.Raised[i].RaisedAt.In(catalog.Shanghai)
		}
		out.AsOf = out.AsOf.In(catalog.Shanghai)
		for _, u := range rep.Units {
			if u.LastPublish != nil {
				t := u.LastPublish.In(catalog.Shanghai)
				u.LastPublish = &t
			}
			su := superviseUnit{Unit: u.Unit, Name: u.Name, LastPublish: u.LastPublish, DaysSilent: u.DaysSilent, Published: u.Published,
				Recent: u.Recent, OverdueColumns: u.Overdue, EmptyColumns: u.Empty, Rules: []string{}}
			for _, br := range u.Breaches {
				su.Rules = append(su.Rules, br.Rule)
			}
			out.Units = append(out.Units, su)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	fmt.Fprintf(e.stdout, "supervision as of %s\n", rep.AsOf.Format(time.RFC3339))
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "unit\tlast publish\tdays silent\tpublished\toverdue\tempty\trules broken")
	for _, u := range rep.Units {
		last := "never"
		if u.LastPublish != nil {
			last = u.LastPublish.Format("2006-01-02")
		}
		var rules []string
		for _, br := range u.Breaches {
			rules = append(rules, br.Rule)
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%d\t%d\t%d\t%d\t%s\n", u.Unit, u.Name, last, u.DaysSilent, u.Published, len(u.Overdue), len(u.Empty), strings.Join(rules, " "))
	}
	tw.Flush()
	verdict := "pass"
	if !rep.National.Pass {
		verdict = "FAIL"
	}
	for _, it := range rep.National.Items {
		fmt.Fprintf(e.stdout, "national check: %s %d (fails at %d)\n", it.Name, it.Count, it.FailAt)
	}
	fmt.Fprintf(e.stdout, "national check: %s\n", verdict)
	fmt.Fprintf(e.stdout, "notices: %d raised now, %d standing, %d closed, %d escalated\n",
		res.New, len(res.Raised)-res.New, len(res.Closed), len(res.Escalated))
	return nil
}
