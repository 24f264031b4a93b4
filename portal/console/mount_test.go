package console_test

import (
	"net/http"

	"github.com/gorilla/mux"

	"gongkai/portal/console"
)

// mount puts the console's routes on a router the way the portal does:
// route variables reach handlers as Request.PathValue.
func mount(c *console.Console) *mux.Router {
	r := mux.NewRouter()
	for _, rt := range c.Routes() {
		h := rt.Handler
		r.Handle(rt.Path, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			for k, v := range mux.Vars(req) {
				req.SetPathValue(k, v)
			}
			h.ServeHTTP(w, req)
		})).Methods(rt.Method)
	}
	return r
}
