package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai/indexer"
	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

var _ = addNotices(map[string]string{
	"popular_hidden":   "已隐藏，该查询词不再在门户的“大家都在搜”中显示。",
	"popular_pinned":   "已置顶，该查询词将始终显示在“大家都在搜”的最前面。",
	"popular_reset":    "已恢复正常，该查询词按搜索人数决定是否显示。",
	"popular_settings": "热门搜索的显示门槛已保存。",
})

// popularRowsShown is how many counted queries the page lists.
const popularRowsShown = 100

type popularView struct {
	Settings store.PopularSettings
	Since    string
	Rows     []popularRow
	Pins     int
	MaxPins  int
	Message  string // why the last form was refused
	Query    string // the refused query, kept in its field
	Form     struct{ MinClients, Days string }
}

type popularRow struct {
	Query   string
	Clients int64
	Asks    int64
	State   string // "", hidden, pinned
	Label   string // what the public list does with it
	Class   string
}

// popularPage lists the hidden and pinned queries and the queries most
// distinct clients asked over the set span of days, with what the public
// list shows of each and the buttons to change it.
func (c *Console) popularPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanModerateQueries(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	c.renderPopular(w, r, http.StatusOK, popularView{})
}

func (c *Console) renderPopular(w http.ResponseWriter, r *http.Request, status int, v popularView) {
	ctx := r.Context()
	set, err := c.Store.PopularSettings(ctx)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v.Settings, v.MaxPins = set, store.MaxPinnedQueries
	v.Since = c.Now().In(catalog.Shanghai).AddDate(0, 0, -(set.Days - 1)).Format(time.DateOnly)
	if v.Form.MinClients == "" {
		v.Form.MinClients, v.Form.Days = strconv.Itoa(set.MinClients), strconv.Itoa(set.Days)
	}
	marks, err := c.Store.QueryMarks(ctx, v.Since)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	counted, err := c.Store.PopularQueries(ctx, store.PopularFilter{Since: v.Since, Limit: popularRowsShown})
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	marked := map[string]bool{}
	for _, m := range marks {
		marked[m.Query] = true
		row := popularRow{Query: m.Query, Clients: m.Clients, Asks: m.Asks, State: m.State}
		if m.State == store.QueryPinned {
			v.Pins++
			row.Label, row.Class = "置顶显示", "ok"
		} else {
			row.Label, row.Class = "已隐藏，不显示", "bad"
		}
		v.Rows = append(v.Rows, row)
	}
	for _, q := range counted {
		if marked[q.Query] {
			continue
		}
		row := popularRow{Query: q.Query, Clients: q.Clients, Asks: q.Asks, Label: "未达门槛，不显示", Class: "na"}
		if q.Clients >= int64(set.MinClients) {
			row.Label, row.Class = "按人数显示", ""
		}
		v.Rows = append(v.Rows, row)
	}
	pg := c.newPage(r, "热门搜索")
	pg.Data = v
	c.render(w, r, status, "popular.html", pg)
}

// markQueryPost hides, pins or resets (state "") the query of the form,
// audited in the same transaction; the change log tells every replica's
// pages to renew the list.
func (c *Console) markQueryPost(state string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := principalFrom(r.Context())
		if err := auth.CanModerateQueries(p); err != nil {
			c.refusePage(w, r, err)
			return
		}
		if err := r.ParseForm(); err != nil {
			c.pageFail(w, r, catalog.FieldErrors{{Field: "body", Reason: "表单无法读取"}})
			return
		}
		raw := r.PostForm.Get("q")
		q, err := indexer.CountableQuery(raw)
		if err != nil {
			v := popularView{Message: "未处理：" + err.Error() + "。"}
			if !errors.Is(err, indexer.ErrPersonalQuery) {
				v.Query = truncateRunes(raw, indexer.MaxPopularQueryRunes) // personal data is not shown back
			}
			c.renderPopular(w, r, http.StatusBadRequest, v)
			return
		}
		ctx := r.Context()
		err = c.Store.WithTx(ctx, func(tx *store.Tx) error {
			prev, err := tx.MarkQuery(ctx, q, state, p.Login, c.Now())
			if err != nil || prev == state {
				return err
			}
			_, err = tx.AppendAudit(ctx, audit.Record{At: c.Now(), Actor: actorOf(r), Action: markAction(prev, state),
				ObjectKind: "popular_query", ObjectID: q, Summary: audit.Change(map[string]string{"state": stateName(prev)}, map[string]string{"state": stateName(state)})})
			return err
		})
		if errors.Is(err, store.ErrTooManyPins) {
			c.renderPopular(w, r, http.StatusConflict, popularView{Message: "未置顶：最多置顶 " + strconv.Itoa(store.MaxPinnedQueries) + " 个查询词，请先取消一个置顶。", Query: q})
			return
		}
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		done := map[string]string{store.QueryHidden: "popular_hidden", store.QueryPinned: "popular_pinned", "": "popular_reset"}[state]
		http.Redirect(w, r, "/console/popular?done="+done, http.StatusSeeOther)
	}
}

// markAction names a moderation in the audit log.
func markAction(prev, state string) string {
	switch {
	case state == store.QueryHidden:
		return "popular.hide"
	case state == store.QueryPinned:
		return "popular.pin"
	case prev == store.QueryPinned:
		return "popular.unpin"
	}
	return "popular.unhide"
}

func stateName(s string) string {
	if s == "" {
		return "normal"
	}
	return s
}

// popularSettingsPost sets how many distinct clients over how many days
// put a query on the public list, audited.
func (c *Console) popularSettingsPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanModerateQueries(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		c.pageFail(w, r, catalog.FieldErrors{{Field: "body", Reason: "表单无法读取"}})
		return
	}
	var v popularView
	v.Form.MinClients = strings.TrimSpace(r.PostForm.Get("min_clients"))
	v.Form.Days = strings.TrimSpace(r.PostForm.Get("days"))
	minClients, err1 := strconv.Atoi(v.Form.MinClients)
	days, err2 := strconv.Atoi(v.Form.Days)
	set := store.PopularSettings{MinClients: minClients, Days: days}
	if err := set.Check(); err1 != nil || err2 != nil || err != nil {
		if err == nil {
			err = errors.New("请填写整数")
		}
		v.Message = "未保存：" + err.Error() + "。"
		c.renderPopular(w, r, http.StatusBadRequest, v)
		return
	}
	ctx := r.Context()
	err := c.Store.WithTx(ctx, func(tx *store.Tx) error {
		before, err := tx.PopularSettings(ctx)
		if err != nil {
			return err
		}
		if err := tx.SetPopularSettings(ctx, set); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Record{At: c.Now(), Actor: actorOf(r), Action: "popular.settings",
			ObjectKind: "setting", ObjectID: "popular_queries", Summary: audit.Change(before, set)})
		return err
	})
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/popular?done=popular_settings", http.StatusSeeOther)
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
