package portal

import (
	"net/http"

	"github.com/gorilla/mux"
)

// pageRoutes names the URLs of the public pages, feeds, sitemaps and static
// files, and makes unknown paths answer people with a page (programs still
// get JSON).
func (s *Server) pageRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/", s.homePage).Methods(get...)
	r.HandleFunc("/units", s.unitsPage).Methods(get...)
	r.HandleFunc("/units/{code}", s.unitPage).Methods(get...)
	r.HandleFunc("/units/{code}/rss.xml", s.unitFeed).Methods(get...)
	r.HandleFunc("/units/{code}/columns/{col}", s.columnPage).Methods(get...)
	r.HandleFunc("/units/{code}/columns/{col}/rss.xml", s.columnFeed).Methods(get...)
	r.HandleFunc("/entries/{id}", s.entryPage).Methods(get...)
	r.HandleFunc("/search", s.searchHandler(s.Index)).Methods(get...)
	r.HandleFunc("/display", s.displayToggle).Methods(get...)
	r.HandleFunc("/sitemap.xml", s.sitemapIndex).Methods(get...)
	r.HandleFunc("/sitemaps/catalog.xml", s.sitemapCatalog).Methods(get...)
	r.HandleFunc("/sitemaps/entries-{n:[0-9]+}.xml", s.sitemapEntries).Methods(get...)
	r.HandleFunc("/static/{name}", s.staticFile).Methods(get...)

	r.NotFoundHandler = s.recoverer(s.instrument(http.HandlerFunc(s.pageNotFound)))
	r.MethodNotAllowedHandler = s.recoverer(s.instrument(http.HandlerFunc(s.pageMethodNotAllowed)))
}
