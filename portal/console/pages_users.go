package console

import (
	"errors"
	"net/http"
	"strings"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

type userRow struct {
	store.User
	RoleLabel string
	UnitName  string
}

// userForm is what the administrator typed into the new-account form.
type userForm struct {
	Login, Name, Role, Unit string
}

// createdUser is shown once, right after the account is made: its
// one-time password exists nowhere else.
type createdUser struct {
	Login, Name, RoleLabel, Unit, UnitName, Password string
}

type usersView struct {
	Users   []userRow
	Units   []catalog.Unit
	Roles   []option
	Form    userForm
	Errors  map[string]string
	Message string
	Created *createdUser
}

// usersPage lists the console's accounts for the administrator.
func (c *Console) usersPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanManageUsers(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	c.renderUsers(w, r, http.StatusOK, usersView{Form: userForm{Role: string(auth.RoleEditor)}})
}

func (c *Console) renderUsers(w http.ResponseWriter, r *http.Request, status int, v usersView) {
	ctx := r.Context()
	users, err := c.Store.Users(ctx)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	if v.Units, err = c.Store.Units(ctx); err != nil {
		c.pageFail(w, r, err)
		return
	}
	names := make(map[string]string, len(v.Units))
	for _, u := range v.Units {
		names[u.Code] = u.Name
	}
	for _, u := range users {
		v.Users = append(v.Users, userRow{User: u, RoleLabel: auth.Role(u.Role).Label(), UnitName: names[u.Unit]})
	}
	for _, role := range auth.Roles {
		v.Roles = append(v.Roles, option{string(role), role.Label()})
	}
	if v.Created != nil {
		v.Created.UnitName = names[v.Created.Unit]
	}
	pg := c.newPage(r, "账号管理")
	pg.Data = v
	c.render(w, r, status, "users.html", pg)
}

// createUserPost makes an account with a one-time password and shows the
// password once, on the answer itself (never in a URL or a redirect).
func (c *Console) createUserPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanManageUsers(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	form := userForm{Login: f("login"), Name: f("name"), Role: f("role"), Unit: f("unit")}
	password, u, err := c.Accounts.AddUserBy(r.Context(), actorOf(r), form.Login, form.Role, form.Unit, form.Name)
	if err != nil {
		var fe catalog.FieldErrors
		switch {
		case errors.As(err, &fe):
			c.renderUsers(w, r, http.StatusBadRequest, usersView{Form: form, Errors: fieldMap(fe), Message: "账号未创建，请按提示修改。"})
		case errors.Is(err, store.ErrConflict):
			c.renderUsers(w, r, http.StatusConflict, usersView{Form: form, Errors: map[string]string{"login": "登录名已被使用"}, Message: "账号未创建：登录名已被使用。"})
		default:
			c.pageFail(w, r, err)
		}
		return
	}
	created := &createdUser{Login: u.Login, Name: u.Name, RoleLabel: auth.Role(u.Role).Label(), Unit: u.Unit, Password: password}
	c.renderUsers(w, r, http.StatusOK, usersView{Form: userForm{Role: form.Role, Unit: form.Unit}, Created: created})
}

// unlockUserPost lifts the lock that failed logins put on an account.
func (c *Console) unlockUserPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanManageUsers(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	cl := caller(r)
	if err := c.Accounts.Unlock(r.Context(), p, r.PathValue("login"), cl.P.Actor(cl.IP, cl.UserAgent)); err != nil {
		c.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/users?done=unlocked", http.StatusSeeOther)
}
