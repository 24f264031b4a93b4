package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/clientip"
	"gongkai/internal/httpjson"
)

const principalKey ctxKey = 2

func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// principalOf returns the caller that requireToken authenticated.
func principalOf(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(principalKey).(auth.Principal)
	return p, ok
}

// bearerToken reads "Authorization: Bearer TOKEN" (the scheme in any case).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// requireToken lets a request through only with a valid, unrevoked API
// token, and puts its principal in the request's context. Back-office
// answers are never cached. The token itself is never logged.
func (s *Server) requireToken(v *auth.Verifier, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		secret, ok := bearerToken(r)
		if !ok {
			unauthorized(w, false)
			return
		}
		p, err := v.Verify(r.Context(), secret, time.Now())
		if errors.Is(err, auth.ErrInvalidToken) {
			s.Log.Info("token refused", slog.String("request_id", requestID(r.Context())), slog.String("route", routeName(r)))
			unauthorized(w, true)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// unauthorized answers 401 as RFC 6750 asks: a challenge always, and
// error="invalid_token" when a token was given but is not good.
func unauthorized(w http.ResponseWriter, tokenGiven bool) {
	challenge := `Bearer realm="gongkai"`
	msg := "需要 API 令牌：Authorization: Bearer … (a token is required)"
	if tokenGiven {
		challenge += `, error="invalid_token"`
		msg = "API 令牌无效或已撤销 (the token is invalid or revoked)"
	}
	w.Header().Set("WWW-Authenticate", challenge)
	httpjson.Error(w, http.StatusUnauthorized, "unauthorized", msg)
}

// forbidden answers 403 and records who was refused what, in the log and
// in the audit log.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, p auth.Principal, msg string, attrs ...slog.Attr) {
	s.refuse(w, r, p, audit.Record{}, msg, attrs...)
}

// refuse is forbidden for a request on a known object: obj's ObjectKind,
// ObjectID and ObjectUnit go into the audit record.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, p auth.Principal, obj audit.Record, msg string, attrs ...slog.Attr) {
	ctx := r.Context()
	attrs = append([]slog.Attr{slog.String("request_id", requestID(ctx)), slog.String("route", routeName(r)),
		slog.Int64("token_id", p.TokenID), slog.String("role", string(p.Role)), slog.String("unit", p.Unit)}, attrs...)
	s.Log.LogAttrs(ctx, slog.LevelWarn, "access refused", attrs...)
	rec := audit.Record{Actor: p.Actor(remoteIP(r), r.UserAgent()), Action: "auth.refused",
		ObjectKind: obj.ObjectKind, ObjectID: obj.ObjectID, ObjectUnit: obj.ObjectUnit,
		Outcome: audit.OutcomeRefused, Summary: r.Method + " " + routeName(r) + "：" + msg}
	s.appendAudit(ctx, rec)
	httpjson.Error(w, http.StatusForbidden, "forbidden", msg)
}

// appendAudit writes an audit record of a request. A record that cannot
// be written is logged as an error; the request's answer stands, since
// what it records has happened. A client that hangs up does not cancel it.
func (s *Server) appendAudit(ctx context.Context, rec audit.Record) {
	if _, err := s.Store.AppendAudit(context.WithoutCancel(ctx), rec); err != nil {
		s.Log.LogAttrs(ctx, slog.LevelError, "audit record not written", slog.String("request_id", requestID(ctx)),
			slog.String("action", rec.Action), slog.String("object_id", rec.ObjectID), slog.String("error", err.Error()))
	}
}

// remoteIP is the client's address: the peer, or behind a trusted proxy
// the address it forwarded (see package clientip).
func remoteIP(r *http.Request) string { return clientip.From(r) }
