package portal

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// displayToggle switches the large-text, high-contrast display on or off
// for readers without JavaScript (the script does the same in place) and
// sends them back to the page they came from.
func (s *Server) displayToggle(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// "normal" is remembered too (not just the cookie dropped), so that the
	// script knows the reader chose it.
	c := &http.Cookie{Name: displayCookie, Value: "normal", Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil}
	if q.Get("large") == "1" {
		c.Value = "large"
	}
	http.SetCookie(w, c)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, localPath(q.Get("back")), http.StatusSeeOther)
}

// localPath returns back when it is a path on this site, and "/" for
// anything else, so the toggle cannot be used to send readers elsewhere.
func localPath(back string) string {
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") || len(back) > 2000 {
		return "/"
	}
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.ContainsAny(back, "\r\n") {
		return "/"
	}
	return back
}

// staticFile serves the embedded CSS, script and icons. A URL carrying the
// file's current hash (?v=…, as the templates write it) may be cached for
// a year; any other for a few minutes, revalidated by ETag.
func (s *Server) staticFile(w http.ResponseWriter, r *http.Request) {
	f, ok := siteViews.static[pathVar(r, "name")]
	if !ok {
		s.pageNotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", `"`+f.hash+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	// No modification time: the ETag, a content hash, is what caches check.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}
