package cli

import (
	"context"
	"fmt"
	"strings"

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
