package portal

import (
	"net/http"

	"github.com/gorilla/mux"

	"gongkai/internal/auth"
	"gongkai/internal/ingest"
)

// console holds what the back-office API is built from, made once.
type console struct {
	verifier *auth.Verifier
	importer *ingest.Importer
	maxCSV   int64 // the largest CSV a publish accepts, in bytes
}

// consoleRoutes names the URLs of the back-office API. Every one of them
// needs a token (Authorization: Bearer …).
func (s *Server) consoleRoutes(r *mux.Router) {
	c := &console{
		verifier: auth.NewVerifier(s.Store, s.Log),
		importer: ingest.New(s.Store, s.Files),
		maxCSV:   maxDatasetCSV,
	}
	r.Handle("/api/v1/console/datasets/{id}", s.requireToken(c.verifier, func(w http.ResponseWriter, r *http.Request) {
		s.publishDataset(w, r, c, pathVar(r, "id"))
	})).Methods(http.MethodPut)
}
