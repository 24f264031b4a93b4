package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"gongkai/internal/auth"
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

// forbidden answers 403 and records who was refused what.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, p auth.Principal, msg string, attrs ...slog.Attr) {
	attrs = append([]slog.Attr{slog.String("request_id", requestID(r.Context())), slog.String("route", routeName(r)),
		slog.Int64("token_id", p.TokenID), slog.String("role", string(p.Role)), slog.String("unit", p.Unit)}, attrs...)
	s.Log.LogAttrs(r.Context(), slog.LevelWarn, "access refused", attrs...)
	httpjson.Error(w, http.StatusForbidden, "forbidden", msg)
}
