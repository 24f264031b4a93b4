package portal

import (
	"net/http"

	"github.com/gorilla/mux"

	"gongkai/internal/auth"
	"gongkai/internal/checks"
	"gongkai/internal/ingest"
	"gongkai/internal/supervise"
	"gongkai/internal/workflow"
	backoffice "gongkai/portal/console"
)

// console holds what the back-office API is built from, made once.
type console struct {
	verifier *auth.Verifier
	importer *ingest.Importer
	maxCSV   int64 // the largest CSV a publish accepts, in bytes
}

// consoleRoutes mounts the back office: the console's pages and API (from
// package console) and the open-data publishing API.
func (s *Server) consoleRoutes(r *mux.Router) {
	verifier := auth.NewVerifier(s.Store, s.Log)
	wf := workflow.New(s.Store, s.Files, s.Log)
	wf.Gate, wf.Links = s.Gate, s.Links
	if s.Gate == nil {
		wf.Gate = checks.Default(checks.Settings{})
	}
	sv := s.Supervise
	if sv == nil {
		sv = supervise.New(s.Store, s.Files, s.Log)
	}
	bo := backoffice.New(backoffice.Deps{Store: s.Store, Files: s.Files, Workflow: wf,
		Accounts: auth.NewAccounts(s.Store, s.Log), Tokens: verifier, Log: s.Log, Site: s.Site, Preview: s.previewEntry,
		SecureCookies: s.SecureCookies, ColumnFit: s.ColumnFit, Supervise: sv})
	for _, rt := range bo.Routes() {
		r.Handle(rt.Path, withPathValues(rt.Handler)).Methods(rt.Method).Name(rt.Name)
	}
	r.Handle("/console", http.RedirectHandler("/console/", http.StatusMovedPermanently)).Methods(http.MethodGet)
	c := &console{
		verifier: verifier,
		importer: ingest.New(s.Store, s.Files),
		maxCSV:   maxDatasetCSV,
	}
	r.Handle("/api/v1/console/datasets/{id}", s.requireToken(c.verifier, func(w http.ResponseWriter, r *http.Request) {
		s.publishDataset(w, r, c, pathVar(r, "id"))
	})).Methods(http.MethodPut)
}

// withPathValues hands the route's variables to the standard library's
// Request.PathValue, so that handlers outside the router need not know
// gorilla/mux.
func withPathValues(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range mux.Vars(r) {
			r.SetPathValue(k, v)
		}
		h.ServeHTTP(w, r)
	})
}
