package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gongkai/internal/checks"
	"gongkai/internal/sanitize"
	"gongkai/internal/store"
)

// minFitEntries is how many published entries the column-fit model needs
// before it says anything.
const minFitEntries = 200

// trainColumnFit trains the column-fit model on the store's published
// entries: 80% to learn from, 20% held out to measure it, then the whole
// set for the model in force. It returns nil without error when there are
// too few entries to learn from.
func trainColumnFit(ctx context.Context, st *store.Store, seg *checks.FitSegmenter) (*checks.ColumnModel, *checks.FitReport, error) {
	policy := sanitize.New()
	var ex []checks.FitExample
	after := ""
	for {
		page, err := st.ScanPublishedEntries(ctx, after, 500, "")
		if err != nil {
			return nil, nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			body := e.BodyText
			if strings.TrimSpace(e.BodyHTML) != "" {
				body = policy.Text(e.BodyHTML)
			}
			ex = append(ex, checks.FitExampleFromEntry(e.Entry, body))
		}
		after = page[len(page)-1].ID
	}
	if len(ex) < minFitEntries {
		return nil, nil, nil
	}
	tmpl, err := st.Template(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, c := range tmpl.Columns {
		names[c.Code] = c.Name
	}
	opt := checks.FitOptions{ColumnNames: names, Segmenter: seg}
	train, test := checks.SplitFitExamples(ex, 0.2, 1)
	held, err := checks.TrainColumnFit(train, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("column fit: %w", err)
	}
	rep := held.Evaluate(test, checks.DefaultColumnFitThreshold)
	opt.Segmenter = held.Segmenter()
	m, err := checks.TrainColumnFit(ex, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("column fit: %w", err)
	}
	m.SetHeldOut(rep)
	return m, &rep, nil
}

// keepColumnFitTrained trains the model once the search index has caught
// up (ready: not to compete with its first build for memory and cores),
// then every interval, putting each new one in force in live. It returns
// when ctx ends.
func keepColumnFitTrained(ctx context.Context, st *store.Store, live *checks.LiveRule, ready func() error, every time.Duration, log *slog.Logger) {
	for ready != nil && ready() != nil {
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
	var seg *checks.FitSegmenter
	for {
		start := time.Now()
		m, rep, err := trainColumnFit(ctx, st, seg)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("column fit: training failed", slog.Any("err", err))
		case m == nil:
			log.Info("column fit: too few published entries to learn from", slog.Int("need", minFitEntries))
		default:
			seg = m.Segmenter()
			live.Set(m.Rule(checks.DefaultColumnFitThreshold))
			log.Info("column fit: model trained", slog.Int("entries", m.Info().Examples), slog.Float64("held_out_accuracy", rep.Accuracy),
				slog.Float64("well_placed_flagged", rep.FlaggedRate), slog.Float64("seconds", time.Since(start).Seconds()))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
