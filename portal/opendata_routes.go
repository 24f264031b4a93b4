package portal

import (
	"net/http"

	"github.com/gorilla/mux"

	"gongkai/opendata"
)

// opendataRoutes names the URLs of the open data: the catalog pages, its
// JSON API, the downloads, the CKAN Action API and the DCAT catalog.
func (s *Server) opendataRoutes(r *mux.Router) {
	od := opendata.New(opendata.Deps{
		Store: s.Store, Metrics: s.odMetrics, Log: s.Log,
		Fail: s.fail, SiteName: s.Site.Name, Publisher: s.Site.Host, BaseURL: s.siteURL(),
	})
	get := []string{http.MethodGet, http.MethodHead}
	withID := func(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { h(w, r, pathVar(r, "id")) }
	}

	r.HandleFunc("/opendata/api/datasets", od.Datasets).Methods(get...)
	r.HandleFunc("/opendata/api/datasets/{id}", withID(od.Dataset)).Methods(get...)
	r.HandleFunc("/opendata/api/datasets/{id}/rows", withID(od.Rows)).Methods(get...)
	r.HandleFunc("/opendata/catalog.jsonld", od.Catalog).Methods(get...)
	// Downloads before the dataset page, whose {id} would match "x.csv".
	r.HandleFunc("/opendata/datasets/{id:[A-Za-z0-9._-]+}.{format:csv|jsonl|json|xlsx}", func(w http.ResponseWriter, r *http.Request) {
		od.Download(w, r, pathVar(r, "id"), pathVar(r, "format"))
	}).Methods(get...)
	r.HandleFunc("/opendata/datasets/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.opendataDatasetPage(w, r, od, pathVar(r, "id"))
	}).Methods(get...)
	r.HandleFunc("/opendata/", func(w http.ResponseWriter, r *http.Request) { s.opendataListPage(w, r, od) }).Methods(get...)
	r.Handle("/opendata", http.RedirectHandler("/opendata/", http.StatusMovedPermanently)).Methods(get...)

	ckan := func(w http.ResponseWriter, r *http.Request) { od.CKAN(w, r, pathVar(r, "action")) }
	r.HandleFunc("/api/3/action/{action}", ckan).Methods(http.MethodGet, http.MethodPost)
	// ckanapi and other clients call the unversioned path.
	r.HandleFunc("/api/action/{action}", ckan).Methods(http.MethodGet, http.MethodPost)
}
