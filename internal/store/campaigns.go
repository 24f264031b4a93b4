package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Deadline campaigns (专项督查): the office names the columns every unit
// must have updated between the campaign's start and its deadline.

// Campaign is a deadline campaign as stored.
type Campaign struct {
	ID          int64  `db:"id"`
	Title       string `db:"title"`
	StartsMS    int64  `db:"starts_at"`
	DeadlineMS  int64  `db:"deadline"`
	ColumnsJSON string `db:"columns"`
	CreatedBy   string `db:"created_by"`
	CreatedMS   int64  `db:"created_at"`
}

// StartsAt is the first instant an entry counts from; Deadline the last.
func (c Campaign) StartsAt() time.Time  { return FromMillis(c.StartsMS) }
func (c Campaign) Deadline() time.Time  { return FromMillis(c.DeadlineMS) }
func (c Campaign) CreatedAt() time.Time { return FromMillis(c.CreatedMS) }

// Columns are the codes of the columns the campaign requires.
func (c Campaign) Columns() []string {
	var cols []string
	if err := json.Unmarshal([]byte(c.ColumnsJSON), &cols); err != nil {
		return nil
	}
	return cols
}

// NewCampaign is what creating a campaign stores.
type NewCampaign struct {
	Title     string
	StartsAt  time.Time
	Deadline  time.Time
	Columns   []string
	CreatedBy string
	CreatedAt time.Time
}

const campaignFields = `id, title, starts_at, deadline, columns, created_by, created_at`

// InsertCampaign stores a campaign in this transaction.
func (t *Tx) InsertCampaign(ctx context.Context, n NewCampaign) (Campaign, error) {
	cols, err := json.Marshal(n.Columns)
	if err != nil {
		return Campaign{}, fmt.Errorf("store: campaign columns: %w", err)
	}
	var c Campaign
	if err := t.get(ctx, &c, `INSERT INTO campaigns (title, starts_at, deadline, columns, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING `+campaignFields,
		n.Title, Millis(n.StartsAt), Millis(n.Deadline), string(cols), n.CreatedBy, Millis(n.CreatedAt)); err != nil {
		return Campaign{}, fmt.Errorf("store: insert campaign: %w", err)
	}
	return c, nil
}

// Campaign reads one campaign.
func (s *Store) Campaign(ctx context.Context, id int64) (Campaign, error) {
	var c Campaign
	if err := s.get(ctx, &c, `SELECT `+campaignFields+` FROM campaigns WHERE id = ?`, id); err != nil {
		return c, notFound(err, fmt.Sprintf("campaign %d", id))
	}
	return c, nil
}

// Campaigns lists campaigns, the latest deadline first, at most limit
// (default 100).
func (s *Store) Campaigns(ctx context.Context, limit int) ([]Campaign, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var out []Campaign
	if err := s.sel(ctx, &out, `SELECT `+campaignFields+` FROM campaigns ORDER BY deadline DESC, id DESC LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	return out, nil
}

// CampaignCell is what one unit published in one of a campaign's columns
// within its time.
type CampaignCell struct {
	Unit    string `db:"unit"`
	Column  string `db:"col"`
	Count   int    `db:"n"`
	FirstMS int64  `db:"first"`
	LastMS  int64  `db:"last"`
}

// First and Last are the earliest and latest publish times counted.
func (c CampaignCell) First() time.Time { return FromMillis(c.FirstMS) }
func (c CampaignCell) Last() time.Time  { return FromMillis(c.LastMS) }

// CampaignCells counts, per unit and column among columns, the entries
// published from from on that stood published at until (so published by
// then, and not withdrawn by then): one grouped query over the campaign's
// columns and time. Units and columns without such an entry have no row.
func (s *Store) CampaignCells(ctx context.Context, columns []string, from, until time.Time) ([]CampaignCell, error) {
	if len(columns) == 0 || until.Before(from) {
		return nil, nil
	}
	ph, cols := inList(columns)
	at := Millis(until)
	args := append([]any{at, at, Millis(from)}, cols...)
	var out []CampaignCell
	if err := s.sel(ctx, &out, `SELECT unit, column_code AS col, COUNT(*) AS n, MIN(published_at) AS first, MAX(published_at) AS last
FROM entries WHERE `+publishedAsOf+` AND published_at >= ? AND column_code IN (`+ph+`)
GROUP BY unit, column_code ORDER BY unit, column_code`, args...); err != nil {
		return nil, fmt.Errorf("store: campaign progress: %w", err)
	}
	return out, nil
}
