package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"gongkai/internal/auth"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
	"gongkai/internal/workflow"
)

// Cookie names. The session cookie holds the session secret; the login
// cookie holds the login form's token until a session exists.
const (
	sessionCookie = auth.SessionCookieName
	loginCookie   = "gk_login_csrf"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// contentSecurityPolicy is the portal's, with inline styles allowed for
// the rich-text editor, which sets them on the elements it draws.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data: http: https:; style-src 'self' 'unsafe-inline'; " +
	"script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// secureHeaders are set on every console answer: never cached, never
// framed, never sniffed.
func secureHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
}

func (c *Console) secure(r *http.Request) bool { return c.SecureCookies || r.TLS != nil }

// cookiePaths are where the console's cookies go: its pages and its API,
// never the public portal (whose pages stay cacheable for everyone).
var cookiePaths = []string{auth.SessionCookiePath, "/api/v1/console"}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	for _, p := range cookiePaths {
		http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: p, MaxAge: maxAge,
			Secure: c.secure(r), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
}

// authenticate finds the caller of a request: a bearer token (API only)
// or a session cookie. It returns ok=false when there is neither.
func (c *Console) authenticate(r *http.Request, allowToken bool) (auth.Principal, *store.Session, bool, error) {
	if allowToken {
		if secret, ok := bearerToken(r); ok {
			p, err := c.Tokens.Verify(r.Context(), secret, c.Now())
			if errors.Is(err, auth.ErrInvalidToken) {
				return p, nil, false, nil
			}
			return p, nil, err == nil, err
		}
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return auth.Principal{}, nil, false, nil
	}
	p, sess, err := c.Accounts.Authenticate(r.Context(), ck.Value, c.Now())
	if errors.Is(err, auth.ErrNoSession) {
		return p, nil, false, nil
	}
	if err != nil {
		return p, nil, false, err
	}
	return p, &sess, true, nil
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func withCaller(ctx context.Context, p auth.Principal, sess *store.Session) context.Context {
	ctx = context.WithValue(ctx, principalKey, p)
	if sess != nil {
		ctx = context.WithValue(ctx, sessionKey, *sess)
	}
	return ctx
}

// pageHandler wraps a console page: it needs a session, a form token on
// every state-changing request, and a new password before anything else
// when the account must change it. Cross-origin state changes are refused
// before any of it.
func (c *Console) pageHandler(h http.HandlerFunc) http.Handler {
	return c.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w)
		p, sess, ok, err := c.authenticate(r, false)
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		if !ok {
			if unsafeMethod(r.Method) {
				c.renderError(w, r, http.StatusUnauthorized, "登录已失效，请重新登录后再提交。")
				return
			}
			http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if unsafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, c.maxBody())
		}
		if unsafeMethod(r.Method) && !auth.CSRFValid(*sess, formToken(r)) {
			c.auditRefusal(r, p, "form token missing or wrong")
			c.renderError(w, r, http.StatusForbidden, "表单已过期或来源不明，请返回刷新页面后重试。")
			return
		}
		r = r.WithContext(withCaller(r.Context(), p, sess))
		if sess.MustChange && r.URL.Path != "/console/password" && r.URL.Path != "/console/logout" {
			http.Redirect(w, r, "/console/password", http.StatusSeeOther)
			return
		}
		h(w, r)
	}))
}

// formToken reads the form token of a request: the form field, or the
// header for requests made by the pages' scripts.
func formToken(r *http.Request) string {
	if t := r.Header.Get(csrfHeader); t != "" {
		return t
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(maxFormMemory); err != nil {
			return ""
		}
	}
	return r.PostFormValue(csrfField)
}

// maxBody bounds a console request: a form with a few attachments.
func (c *Console) maxBody() int64 { return c.Workflow.MaxAttachment*4 + 16<<20 }

// maxFormMemory is how much of a multipart form is held in memory; the
// rest of an upload spills to temporary files.
const maxFormMemory = 8 << 20

// apiHandler wraps a back-office API call: a bearer token, or a session
// with its form token in the X-CSRF-Token header for state changes.
func (c *Console) apiHandler(h http.HandlerFunc) http.Handler {
	return c.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w)
		tokenGiven := r.Header.Get("Authorization") != ""
		p, sess, ok, err := c.authenticate(r, true)
		if err != nil {
			c.apiFail(w, r, err)
			return
		}
		if !ok {
			challenge := `Bearer realm="gongkai"`
			msg := "需要登录或 API 令牌：Authorization: Bearer … (authentication required)"
			if tokenGiven {
				challenge += `, error="invalid_token"`
				msg = "API 令牌无效或已撤销 (the token is invalid or revoked)"
			}
			w.Header().Set("WWW-Authenticate", challenge)
			httpjson.Error(w, http.StatusUnauthorized, "unauthorized", msg)
			return
		}
		if sess != nil {
			if unsafeMethod(r.Method) && !auth.CSRFValid(*sess, r.Header.Get(csrfHeader)) {
				c.auditRefusal(r, p, "X-CSRF-Token missing or wrong")
				httpjson.Error(w, http.StatusForbidden, "csrf", "缺少或错误的 X-CSRF-Token (form token required)")
				return
			}
			if sess.MustChange {
				c.auditRefusal(r, p, "one-time password not yet changed")
				httpjson.Error(w, http.StatusForbidden, "password_change_required", "请先在后台修改初始密码 (change the one-time password first)")
				return
			}
		}
		h(w, r.WithContext(withCaller(r.Context(), p, sess)))
	}))
}

// publicHandler wraps the pages used before logging in. Their forms carry
// a token that matches a cookie set with the form.
func (c *Console) publicHandler(h http.HandlerFunc) http.Handler {
	return c.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w)
		if unsafeMethod(r.Method) {
			ck, err := r.Cookie(loginCookie)
			if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue(csrfField))) != 1 {
				c.renderError(w, r, http.StatusForbidden, "表单已过期，请刷新登录页面后重试。")
				return
			}
		}
		h(w, r)
	}))
}

// loginToken returns the login form's token, setting its cookie when new.
func (c *Console) loginToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(loginCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	t := base64.RawURLEncoding.EncodeToString(b[:])
	c.setCookie(w, r, loginCookie, t, 3600)
	return t
}

// auditRefusal records a request refused before any handler ran, such as
// a form without its token.
func (c *Console) auditRefusal(r *http.Request, p auth.Principal, why string) {
	cl := workflow.Caller{P: p, IP: clientIP(r), UserAgent: r.UserAgent()}
	c.Workflow.RecordRefusal(r.Context(), cl, "console.refused", "route", r.Method+" "+r.URL.Path, p.Unit, errors.New(why))
}
