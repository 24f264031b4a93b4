package console

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
)

type loginView struct {
	Token, Next, Login, Error string
}

// safeNext keeps a post-login destination inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/console/"
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, _, ok, _ := c.authenticate(r, false); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	pg := c.newPage(r, "登录")
	pg.Data = loginView{Token: c.loginToken(w, r), Next: safeNext(r.URL.Query().Get("next"))}
	c.render(w, r, http.StatusOK, "login.html", pg)
}

func (c *Console) loginPost(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("login"))
	next := safeNext(r.PostFormValue("next"))
	actor := auth.Principal{}.Actor(clientIP(r), r.UserAgent())
	secret, _, _, err := c.Accounts.Login(r.Context(), login, r.PostFormValue("password"), actor, c.Now())
	if err != nil {
		msg := "账号或密码错误。"
		status := http.StatusUnauthorized
		switch {
		case errors.Is(err, auth.ErrLocked):
			msg, status = "账号已锁定（多次输错密码），请联系系统管理员解锁。", http.StatusForbidden
		case errors.Is(err, auth.ErrDisabled):
			msg, status = "账号已停用。", http.StatusForbidden
		case !errors.Is(err, auth.ErrBadCredentials):
			c.pageFail(w, r, err)
			return
		}
		pg := c.newPage(r, "登录")
		pg.Data = loginView{Token: c.loginToken(w, r), Next: next, Login: login, Error: msg}
		c.render(w, r, status, "login.html", pg)
		return
	}
	c.setCookie(w, r, sessionCookie, secret, 0)
	c.setCookie(w, r, loginCookie, "", -1)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logoutPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	// The session ends first: a logout must not wait on anything else.
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if err := c.Accounts.Logout(r.Context(), ck.Value); err != nil && !errors.Is(err, auth.ErrNoSession) {
			c.pageFail(w, r, err)
			return
		}
	}
	c.setCookie(w, r, sessionCookie, "", -1)
	if _, err := c.Store.AppendAudit(r.Context(), audit.Record{At: c.Now(), Actor: caller(r).P.Actor(clientIP(r), r.UserAgent()),
		Action: "auth.logout", ObjectKind: "user", ObjectID: p.Login, ObjectUnit: p.Unit}); err != nil {
		c.Log.Error("console: cannot audit a logout", slog.String("login", p.Login), slog.Any("err", err))
	}
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

type passwordView struct {
	Forced bool
	Error  string
}

func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	pg := c.newPage(r, "修改密码")
	pg.Data = passwordView{Forced: sess.MustChange}
	c.render(w, r, http.StatusOK, "password.html", pg)
}

func (c *Console) passwordPost(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	p, _ := principalFrom(r.Context())
	fail := func(status int, msg string) {
		pg := c.newPage(r, "修改密码")
		pg.Data = passwordView{Forced: sess.MustChange, Error: msg}
		c.render(w, r, status, "password.html", pg)
	}
	if r.PostFormValue("new") != r.PostFormValue("again") {
		fail(http.StatusBadRequest, "两次输入的新密码不一致。")
		return
	}
	err := c.Accounts.ChangePassword(r.Context(), p, sess, r.PostFormValue("old"), r.PostFormValue("new"), caller(r).P.Actor(clientIP(r), r.UserAgent()), c.Now())
	var fe catalog.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/?done=password", http.StatusSeeOther)
	case errors.Is(err, auth.ErrBadCredentials):
		fail(http.StatusBadRequest, "当前密码不正确。")
	case errors.As(err, &fe):
		fail(http.StatusBadRequest, fe[0].Reason)
	case errors.Is(err, auth.ErrLocked):
		fail(http.StatusForbidden, "账号已锁定，请联系系统管理员。")
	default:
		c.pageFail(w, r, err)
	}
}

// homePage sends each role to where its work is.
func (c *Console) homePage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	dest := "/console/password"
	switch {
	case p.Role == auth.RoleApprover:
		dest = "/console/approvals"
	case p.Role.NeedsUnit():
		dest = "/console/entries"
	case auth.IsOffice(p):
		dest = "/console/review"
	case p.Role == auth.RoleAuditor:
		dest = "/console/audit"
	}
	if done := r.URL.Query().Get("done"); notices[done] != "" {
		dest += "?done=" + done
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}
