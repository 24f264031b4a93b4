package console

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/checks"
	"gongkai/internal/clientip"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
	"gongkai/internal/workflow"
)

// Deps are what the console is built from.
type Deps struct {
	Store    *store.Store
	Files    *files.Store
	Workflow *workflow.Service
	Accounts *auth.Accounts
	Tokens   *auth.Verifier
	Log      *slog.Logger
	Site     config.Site
	// Preview renders an entry exactly as its public page will look.
	Preview func(w http.ResponseWriter, r *http.Request, d store.EntryDetail)
	// SecureCookies marks the session cookie Secure. It is on unless the
	// console is served over plain HTTP on a loopback address.
	SecureCookies bool
	// Now is the clock (tests set it).
	Now func() time.Time
	// ColumnFit retrains the quality gate's column-fit model on demand
	// (nil: no model is trained in this process).
	ColumnFit FitControl
	// Supervise is the office's supervision: notices, spot checks,
	// bulletins, campaigns and the dashboard's figures (nil: New makes
	// one on Store, Files and Now).
	Supervise *supervise.Service
}

// FitControl is the column-fit model's keeper, as the office sees it.
type FitControl interface {
	Retrain()
	Status() checks.FitStatus
}

// Console serves the back office.
type Console struct {
	Deps
	csrf *http.CrossOriginProtection
}

// New builds the console.
func New(d Deps) *Console {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	c := &Console{Deps: d, csrf: http.NewCrossOriginProtection()}
	if c.Supervise == nil {
		// One on the console's store and clock (it keeps the dashboard's
		// figures between requests, as the portal's does).
		c.Supervise = supervise.New(d.Store, d.Files, d.Log)
		c.Supervise.Now = func() time.Time { return c.Now() }
	}
	return c
}

// Access says who a route is for, which the authorisation test reads.
type Access string

// Kinds of access.
const (
	Public  Access = "public"  // no login (the login page itself)
	Session Access = "session" // any logged-in console user
	API     Access = "api"     // a logged-in user or an API token
)

// Route is one URL of the console, for the portal's router to mount.
type Route struct {
	Name    string
	Method  string
	Path    string
	Access  Access
	Handler http.Handler
}

// caller is who a request acts for, with where it came from.
func caller(r *http.Request) workflow.Caller {
	p, _ := principalFrom(r.Context())
	return workflow.Caller{P: p, IP: clientIP(r), UserAgent: r.UserAgent()}
}

func actorOf(r *http.Request) audit.Actor { return caller(r).P.Actor(clientIP(r), r.UserAgent()) }

// clientIP is the client's address: the peer, or behind a trusted proxy
// the address it forwarded (see package clientip).
func clientIP(r *http.Request) string { return clientip.From(r) }

type ctxKey int

const (
	principalKey ctxKey = iota + 1
	sessionKey
)

func principalFrom(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(principalKey).(auth.Principal)
	return p, ok
}

func sessionFrom(ctx context.Context) (store.Session, bool) {
	s, ok := ctx.Value(sessionKey).(store.Session)
	return s, ok
}
