package opendata

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
)

// Row pages of the JSON API.
const (
	defaultRowLimit = 100
	maxRowLimit     = 10000
)

// Datasets answers GET /opendata/api/datasets: a catalog search with its
// facets.
func (s *Service) Datasets(w http.ResponseWriter, r *http.Request) {
	q, err := ParseCatalogQuery(r.URL.Query())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	page, err := s.SearchPage(r.Context(), q)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, page)
}

// Dataset answers GET /opendata/api/datasets/{id}: the metadata, field
// dictionary, version history, download links and estimated sizes.
func (s *Service) Dataset(w http.ResponseWriter, r *http.Request, id string) {
	d, err := s.Detail(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, d)
}

// Catalog answers GET /opendata/catalog.jsonld: the catalog as DCAT-AP.
func (s *Service) Catalog(w http.ResponseWriter, r *http.Request) {
	all, err := s.Store.DatasetSummaries(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	httpjson.WriteType(w, http.StatusOK, "application/ld+json; charset=utf-8", DCATCatalog(s.BaseURL(), s.SiteName, s.Publisher, all))
}

// rowPageHead is what a row page says before its rows.
type rowPageHead struct {
	Dataset string          `json:"dataset"`
	Version int             `json:"version"`
	Total   int64           `json:"total"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
	Next    *string         `json:"next"`
	Fields  []catalog.Field `json:"fields"`
}

// Rows answers GET /opendata/api/datasets/{id}/rows: one page of rows as
// JSON objects with the total and the URL of the next page (keyset
// paging: the after= cursor pins the version the first page read). The
// filters and fields= work as for downloads.
func (s *Service) Rows(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	query := r.URL.Query()
	req, err := ParseRowRequest(query)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if req.Limit == 0 {
		req.Limit = defaultRowLimit
	}
	if req.Limit > maxRowLimit {
		s.Fail(w, r, catalog.FieldErrors{{Field: paramLimit, Reason: fmt.Sprintf("每页最多 %d 行 (at most %d; use the downloads for more)", maxRowLimit, maxRowLimit)}})
		return
	}
	p, err := s.pin(ctx, id, req.After)
	if err != nil {
		s.failRequest(w, r, err)
		return
	}
	if err := req.Check(p.version.Fields); err != nil {
		s.Fail(w, r, err)
		return
	}
	h := w.Header()
	etag := exportETag(id, p.version.Version, "rows", query)
	h.Set("ETag", etag)
	h.Set("Last-Modified", p.version.CreatedAt.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "public, max-age=300")
	if notModified(r, etag, p.version.CreatedAt) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	sel := req.selection()
	total, err := s.Store.CountSelectedDatasetRows(ctx, id, p.version.Version, sel)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	head := rowPageHead{Dataset: id, Version: p.version.Version, Total: total, Limit: req.Limit, Offset: req.Offset,
		Fields: req.selectedFields(p.version.Fields)}
	last, more, err := s.Store.DatasetPageEnd(ctx, id, p.version.Version, sel)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if more {
		next := s.nextPageURL(r, Cursor{Version: p.version.Version, Row: last})
		head.Next = &next
		h.Set("Link", "<"+next+`>; rel="next"`)
	}
	fail := func(err error) { s.Fail(w, r, err) }
	s.streamEnvelope(w, r, fail, "", head, "rows", "", func(bw *bufio.Writer) error {
		keys := objectKeys(head.Fields)
		var buf []byte
		n := 0
		return s.Store.SelectDatasetRows(ctx, id, p.version.Version, sel, func(_ int64, row []catalog.Value) error {
			buf = buf[:0]
			if n > 0 {
				buf = append(buf, ',')
			}
			n++
			buf = appendRowObject(buf, keys, row)
			_, err := bw.Write(buf)
			return err
		})
	})
}

// streamEnvelope writes a JSON object whose last member, key, is an array
// streamed by rows: head's members, then "key":[ rows ]; prefix and
// suffix wrap it (CKAN's envelope) when given. Rows are written as they
// are read, a page never held whole. An error before anything was sent is
// answered by fail; after, the connection is cut, the only way left to
// tell the client the answer is incomplete.
func (s *Service) streamEnvelope(w http.ResponseWriter, r *http.Request, fail func(error), prefix string, head any, key, suffix string, rows func(*bufio.Writer) error) {
	b, err := json.Marshal(head)
	if err != nil {
		fail(err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	sink := newResponseSink(w, s.WriteTimeout, false)
	bw := bufio.NewWriterSize(sink, writeBuffer)
	bw.WriteString(prefix)
	bw.Write(b[:len(b)-1]) // head without its closing brace
	if len(b) > 2 {
		bw.WriteByte(',')
	}
	bw.Write(appendJSONString(nil, key))
	bw.WriteString(":[")
	if err = rows(bw); err == nil {
		bw.WriteString("]}" + suffix + "\n")
		err = bw.Flush()
	}
	if err == nil {
		return
	}
	if !sink.started {
		for _, k := range []string{"ETag", "Last-Modified", "Cache-Control", "Link"} {
			h.Del(k)
		}
		fail(err)
		return
	}
	if !errors.Is(err, context.Canceled) {
		s.Log.Error("streamed answer failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	panic(http.ErrAbortHandler)
}
