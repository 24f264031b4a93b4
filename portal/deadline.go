package portal

import (
	"context"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Every request runs under a context deadline. The store passes the
// request's context to each SQL statement and transaction, so a request
// that outlives its deadline, or whose client went away, has its
// statement cancelled by the database (PostgreSQL cancels the query,
// SQLite interrupts it) and its transaction rolled back: nothing is left
// half-written, and a slow query cannot pile up connections.
//
// How long a request may take depends on what it does:
const (
	// Pages, feeds, the JSON API and back-office actions: answered in
	// milliseconds normally; 10 s is far past any sound answer.
	pageDeadline = 10 * time.Second
	// Generated documents (DOCX, XLSX, print views) and the office's
	// runs (supervision, spot-check draws), which read every unit.
	documentDeadline = 2 * time.Minute
	// Uploads: attachments and dataset publishes (a 512 MB CSV may take
	// 30 minutes to arrive on a slow line, then is imported).
	uploadDeadline = time.Hour
	// Downloads that stream: dataset exports, row pages, the audit log's
	// export, attachments. A 1,000,000-row export is 63-220 MB; the pace
	// is the client's, so the bound is wide (a client reading 10 KB/s
	// still gets the largest one). A client that stops reading is cut off
	// sooner by the write deadline, which the export extends only as it
	// makes progress; each SQL statement has its own timeout too.
	downloadDeadline = 6 * time.Hour
)

// withDeadline runs each request under the deadline its kind allows.
// A deadline already on the context (a test's, a caller's) that is
// sooner wins.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), requestDeadline(r))
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// downloadFormats are the extensions of dataset exports and exported
// lists.
var downloadFormats = map[string]bool{".csv": true, ".json": true, ".jsonl": true, ".xlsx": true}

// documentFormats are the generated documents of the back office.
var documentFormats = map[string]bool{".docx": true, ".xlsx": true, ".pdf": true}

// requestDeadline says how long r may take, from its method and path
// alone (no route needs to know about it, and a new route gets the page
// deadline until it is listed here).
func requestDeadline(r *http.Request) time.Duration {
	p := r.URL.Path
	ext := path.Ext(p)
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case !read && isUpload(r):
		return uploadDeadline
	case read && isDownload(p, ext):
		return downloadDeadline
	case read && backOffice(p) && (documentFormats[ext] || strings.HasSuffix(p, "/print")):
		return documentDeadline
	case r.Method == http.MethodPost && (p == "/console/supervision/run" || p == "/console/spotchecks/draw"):
		return documentDeadline
	}
	return pageDeadline
}

func backOffice(p string) bool {
	return strings.HasPrefix(p, "/console/") || strings.HasPrefix(p, "/api/v1/console/")
}

// isDownload: the streamed answers whose size the caller chooses.
func isDownload(p, ext string) bool {
	switch {
	case strings.HasPrefix(p, "/opendata/datasets/") && downloadFormats[ext]:
		return true // dataset exports
	case strings.HasPrefix(p, "/opendata/api/datasets/") && strings.HasSuffix(p, "/rows"):
		return true // row pages, streamed
	case p == "/api/3/action/datastore_search" || p == "/api/action/datastore_search":
		return true // CKAN rows, up to 32,000 a page
	case strings.HasPrefix(p, "/console/audit/export"):
		return true // the whole audit log
	case strings.HasPrefix(p, "/files/"), strings.HasPrefix(p, "/console/entries/") && strings.Contains(p, "/files/"):
		return true // attachments, up to 50 MB
	}
	return false
}

// isUpload: requests that carry a file.
func isUpload(r *http.Request) bool {
	p := r.URL.Path
	if p == "/api/v1/console/files" || strings.HasPrefix(p, "/api/v1/console/datasets/") {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}
