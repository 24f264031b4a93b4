package console

import (
	"net/http"
	"strconv"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// queueFilters are the review queue's filters: unit, column and age.
type queueFilters struct {
	Unit, Column string
	Days         int
	Units        []catalog.Unit
	Columns      []catalog.Column
	Ages         []int
}

// approvalsPage is the unit approver's queue: its staff's submissions,
// oldest first.
func (c *Console) approvalsPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanApproveForUnit(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	c.queue(w, r, "待我审核", store.ConsoleList{Units: []string{p.Unit}, Statuses: []string{catalog.StatusPending}, OldestFirst: true}, nil)
}

// reviewPage is the office's queue of submitted entries, oldest first,
// filtered by unit, column and age.
func (c *Console) reviewPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanReview(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	f, q, err := c.filters(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	q.Statuses, q.OldestFirst = []string{catalog.StatusSubmitted}, true
	c.queue(w, r, "审核队列", q, f)
}

// publishedPage lists published entries for the office, newest first,
// from which it withdraws or pins them.
func (c *Console) publishedPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanReview(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	f, q, err := c.filters(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	q.Statuses = []string{catalog.StatusPublished, catalog.StatusWithdrawn}
	c.queue(w, r, "已发布信息", q, f)
}

func (c *Console) filters(r *http.Request) (*queueFilters, store.ConsoleList, error) {
	f := &queueFilters{Unit: r.URL.Query().Get("unit"), Column: r.URL.Query().Get("column"), Ages: []int{1, 3, 7, 15, 30}}
	f.Days, _ = strconv.Atoi(r.URL.Query().Get("days"))
	var err error
	if f.Units, err = c.Store.Units(r.Context()); err != nil {
		return nil, store.ConsoleList{}, err
	}
	tmpl, err := c.Store.Template(r.Context())
	if err != nil {
		return nil, store.ConsoleList{}, err
	}
	for _, col := range tmpl.Columns {
		if col.Leaf {
			f.Columns = append(f.Columns, col)
		}
	}
	q := store.ConsoleList{Column: f.Column}
	if f.Unit != "" {
		q.Units = []string{f.Unit}
	}
	if f.Days > 0 {
		q.Before = c.Now().Add(-time.Duration(f.Days) * 24 * time.Hour)
	}
	return f, q, nil
}

func (c *Console) queue(w http.ResponseWriter, r *http.Request, heading string, q store.ConsoleList, f *queueFilters) {
	list, pg, err := c.pagedEntries(r, q)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	page := c.newPage(r, heading)
	page.Data = listView{Heading: heading, Entries: list, Pager: pg, Filters: f}
	c.render(w, r, http.StatusOK, "queue.html", page)
}
