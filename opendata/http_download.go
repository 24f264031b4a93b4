package opendata

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
	"gongkai/internal/pagecache"
	"gongkai/internal/store"
)

// errCursorExpired is a cursor whose version's rows are no longer kept.
var errCursorExpired = errors.New("opendata: the cursor's version is no longer kept")

// pinned is one dataset version a request reads, fixed at its start.
type pinned struct {
	meta    store.DatasetRecord
	version store.DatasetVersion
}

// pin resolves the version a request reads: the one its cursor names, or
// the live one. Every later read of the request uses this number, so one
// download never mixes two versions.
func (s *Service) pin(ctx context.Context, id string, after *Cursor) (pinned, error) {
	if !catalog.ValidDatasetID(id) {
		return pinned{}, fmt.Errorf("opendata: dataset %q: %w", id, store.ErrNotFound)
	}
	d, err := s.Store.Dataset(ctx, id)
	if err != nil {
		return pinned{}, err
	}
	version := d.Version
	if after != nil {
		version = after.Version
	}
	v, err := s.Store.DatasetVersionInfo(ctx, id, version)
	if err != nil {
		if after != nil && errors.Is(err, store.ErrNotFound) {
			return pinned{}, errCursorExpired
		}
		return pinned{}, err
	}
	return pinned{meta: d, version: v}, nil
}

// failRequest answers errors of this package's own kinds and hands the
// rest to the server's mapping.
func (s *Service) failRequest(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errCursorExpired) {
		httpjson.Error(w, http.StatusGone, "gone", "翻页游标所指的数据版本已不再保留，请从第一页重新读取 (the cursor's version is no longer kept; start again)")
		return
	}
	s.Fail(w, r, err)
}

// Download streams a dataset as CSV, JSON, JSON Lines or XLSX: GET
// /opendata/datasets/{id}.{ext}. See docs/opendata.md for the parameters.
func (s *Service) Download(w http.ResponseWriter, r *http.Request, id, ext string) {
	format, ok := ParseFormat(ext)
	if !ok {
		s.Fail(w, r, fmt.Errorf("opendata: format %q: %w", ext, store.ErrNotFound))
		return
	}
	ctx := r.Context()
	query := r.URL.Query()
	req, err := ParseRowRequest(query)
	if err != nil {
		s.Fail(w, r, err)
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
	etag := exportETag(id, p.version.Version, string(format), query)
	h.Set("ETag", etag)
	h.Set("Last-Modified", p.version.CreatedAt.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Dataset-Version", strconv.Itoa(p.version.Version))
	if notModified(r, etag, p.version.CreatedAt) {
		w.WriteHeader(http.StatusNotModified)
		return
	}

	release, ok := s.limits.Acquire(clientKey(r))
	if !ok {
		s.Metrics.ExportsRefused.Inc()
		h.Set("Retry-After", "10")
		httpjson.Error(w, http.StatusTooManyRequests, "too_many_requests",
			fmt.Sprintf("同一地址同时进行的下载不能超过 %d 个，请稍后再试 (too many downloads at once from this address)", s.ExportsPerClient))
		return
	}
	defer release()

	if req.Limit > 0 {
		last, more, err := s.Store.DatasetPageEnd(ctx, id, p.version.Version, req.selection())
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		if more {
			h.Set("Link", "<"+s.nextPageURL(r, Cursor{Version: p.version.Version, Row: last})+`>; rel="next"`)
		}
	}
	compress := format.compressible() && acceptsGzip(r.Header.Get("Accept-Encoding"))
	h.Set("Content-Type", format.MediaType())
	h.Set("Content-Disposition", contentDisposition(id+"."+string(format), downloadName(p.meta.Title, id, format)))
	h.Set("X-Content-Type-Options", "nosniff")
	if compress {
		h.Set("Content-Encoding", "gzip")
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}

	s.Metrics.Downloads.WithLabelValues(id, string(format)).Inc()
	start := time.Now()
	key := keptKey(p, string(format), query, compress)
	if kept, ok := s.keptExport(key); ok {
		h.Set("Content-Length", strconv.Itoa(len(kept.Body)))
		// In pieces through the sink's raw writer, which moves the write
		// deadline as the pieces go, as a streamed download's does: a slow
		// client still gets the whole file.
		sink := newResponseSink(w, s.WriteTimeout, false)
		for b := kept.Body; len(b) > 0; {
			n := min(len(b), keptWriteChunk)
			if _, err := (rawSink{sink}).Write(b[:n]); err != nil {
				break
			}
			b = b[n:]
		}
		s.Metrics.BytesServed.WithLabelValues(string(format)).Add(float64(sink.bytes))
		s.Metrics.ExportDuration.WithLabelValues(string(format)).Observe(time.Since(start).Seconds())
		return
	}
	s.Metrics.ExportsActive.Inc()
	defer s.Metrics.ExportsActive.Dec()
	sink := newResponseSink(w, s.WriteTimeout, compress)
	if s.exports != nil && p.version.RowCount <= maxKeptExportRows {
		// At most maxKeeping downloads gather their bytes at once, so that
		// the memory held by downloads under way stays bounded too.
		if s.keeping.Add(1) <= maxKeeping {
			sink.keep, sink.keepMax = &bytes.Buffer{}, maxKeptExport
		}
		defer s.keeping.Add(-1)
	}
	n, err := StreamRows(ctx, s.Store, id, p.version, req, format, sink, sink.tick)
	if err == nil {
		err = sink.close()
	}
	s.Metrics.BytesServed.WithLabelValues(string(format)).Add(float64(sink.bytes))
	s.Metrics.ExportDuration.WithLabelValues(string(format)).Observe(time.Since(start).Seconds())
	if err == nil {
		if sink.keep != nil {
			s.exports.Put(key, &pagecache.Entry{Status: http.StatusOK, Body: bytes.Clone(sink.keep.Bytes())})
		}
		return
	}
	if !sink.started {
		for _, k := range []string{"Content-Encoding", "Content-Disposition", "ETag", "Last-Modified", "Cache-Control", "Link"} {
			h.Del(k)
		}
		s.Fail(w, r, err)
		return
	}
	if !errors.Is(err, context.Canceled) {
		s.Log.Error("dataset download failed after it started", slog.String("dataset", id), slog.String("format", string(format)),
			slog.Int64("rows", n), slog.Any("err", err))
	}
	// The status is sent; cutting the connection is the only way left to
	// tell the client that the file is incomplete.
	panic(http.ErrAbortHandler)
}

// exportETag names one version of one download: dataset, version, format
// and the query (sorted). It is weak because gzip and identity encodings
// of the same document share it.
func exportETag(id string, version int, format string, query url.Values) string {
	sum := sha256.Sum256([]byte(id + "\x00" + strconv.Itoa(version) + "\x00" + format + "\x00" + query.Encode()))
	return `W/"` + id + "-v" + strconv.Itoa(version) + "-" + hex.EncodeToString(sum[:6]) + `"`
}

// notModified evaluates If-None-Match (weak comparison), or, without it,
// If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		want := strings.TrimPrefix(etag, "W/")
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a non-zero quality.
func acceptsGzip(header string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		ok := true
		if k, v, found := strings.Cut(strings.TrimSpace(params), "="); found && strings.TrimSpace(k) == "q" {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			ok = err == nil && q > 0
		}
		switch name {
		case "gzip", "x-gzip":
			return ok
		case "*":
			star = ok
		}
	}
	return star
}

// nextPageURL is the request's URL continuing after the cursor: the same
// filters, fields and limit, no offset, under the configured base URL.
func (s *Service) nextPageURL(r *http.Request, c Cursor) string {
	q := r.URL.Query()
	q.Del(paramOffset)
	q.Set(paramAfter, c.String())
	return s.BaseURL() + r.URL.Path + "?" + q.Encode()
}

// contentDisposition names the saved file: the Chinese name in filename*
// (RFC 6266/5987, which browsers use) and the dataset id as the plain
// filename for clients that read only that one (curl -OJ), rather than a
// row of underscores.
func contentDisposition(ascii, name string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChars, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}

// downloadName is the file name a download is saved under: the dataset's
// title (characters that file systems refuse replaced), or its id.
func downloadName(title, id string, f Format) string {
	name := strings.Map(func(c rune) rune {
		if c < 0x20 || strings.ContainsRune(`/\:*?"<>|`, c) {
			return '_'
		}
		return c
	}, strings.TrimSpace(title))
	if name == "" {
		name = id
	}
	return name + "." + string(f)
}

// keptKey names a download as its bytes depend on it: the dataset, its
// version and when its metadata last changed (a republish with new field
// titles keeps the version but changes the workbook), the format, every
// parameter in full, and the encoding.
func keptKey(p pinned, format string, query url.Values, gzip bool) string {
	return p.meta.ID + "\x00" + strconv.Itoa(p.version.Version) + "\x00" + strconv.FormatInt(p.meta.UpdatedAt.UnixNano(), 10) +
		"\x00" + format + "\x00" + query.Encode() + "\x00" + strconv.FormatBool(gzip)
}

// keptExport is the download kept under key, if any.
func (s *Service) keptExport(key string) (*pagecache.Entry, bool) {
	if s.exports == nil {
		return nil, false
	}
	return s.exports.Get(key, 0)
}
