package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var from = audit.Actor{IP: "10.1.2.3", UserAgent: "Mozilla/5.0 (test)"}

// newAccounts returns accounts over st and the audit records they write.
func newAccounts(t *testing.T, st *store.Store) (*auth.Accounts, func() []audit.Record) {
	t.Helper()
	a := auth.NewAccounts(st, quiet)
	return a, auth.WatchAudit(a, nil)
}

func addUser(t *testing.T, a *auth.Accounts, login, role, unit string) (string, store.User) {
	t.Helper()
	pw, u, err := a.AddUser(context.Background(), login, role, unit, "")
	if err != nil {
		t.Fatalf("AddUser %s: %v", login, err)
	}
	return pw, u
}

func TestAddUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		a, _ := newAccounts(t, st)
		tests := []struct {
			name                    string
			login, role, unit, full string
			field                   string // the field refused, or "" for success
		}{
			{"editor of a unit", "Zhang.Wei ", "editor", "jtj", "张伟", ""},
			{"approver of a unit", "li-na", "approver", "jtj", "", ""},
			{"reviewer", "office_1", "reviewer", "", "", ""},
			{"admin", "root.admin", "admin", "", "", ""},
			{"auditor", "audit", "auditor", "", "", ""},
			{"login too short", "a", "admin", "", "", "login"},
			{"login with a space", "zhang wei", "admin", "", "", "login"},
			{"login in Chinese", "张伟", "admin", "", "", "login"},
			{"login too long", strings.Repeat("a", 33), "admin", "", "", "login"},
			{"unknown role", "x1", "root", "", "", "role"},
			{"editor needs a unit", "x2", "editor", "", "", "unit"},
			{"admin has no unit", "x3", "admin", "jtj", "", "unit"},
			{"malformed unit", "x4", "editor", "JT J", "", "unit"},
			{"unknown unit", "x5", "editor", "nope", "", "unit"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				pw, u, err := a.AddUser(ctx, tc.login, tc.role, tc.unit, tc.full)
				if tc.field != "" {
					fe, ok := catalog.AsFieldErrors(err)
					if !ok || fe[0].Field != tc.field || pw != "" {
						t.Fatalf("AddUser = %q, %v; want a field error on %s", pw, err, tc.field)
					}
					if _, err := st.UserByLogin(ctx, strings.ToLower(strings.TrimSpace(tc.login))); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("refused account stored: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				login := strings.ToLower(strings.TrimSpace(tc.login))
				if u.Login != login || u.Role != tc.role || u.Unit != tc.unit || u.Name != tc.full || !u.MustChange {
					t.Errorf("user = %+v", u)
				}
				if err := auth.CheckPasswordPolicy(login, pw); err != nil || len(pw) != 16 {
					t.Errorf("one-time password %q: %v", pw, err)
				}
				stored, _ := st.UserByLogin(ctx, login)
				if ok, err := auth.CheckPassword(stored.PasswordHash, pw); !ok || err != nil || strings.Contains(stored.PasswordHash, pw) {
					t.Errorf("stored hash does not check the password: %v, %v", ok, err)
				}
			})
		}
		if _, _, err := a.AddUser(ctx, "zhang.wei", "admin", "", ""); !errors.Is(err, store.ErrConflict) {
			t.Errorf("login taken: %v, want ErrConflict", err)
		}
	})
}

// step is one login attempt of a scenario and what must follow.
type step struct {
	name     string
	login    string
	password string // "!right" for the account's current password
	want     error  // nil for success
	failures int    // the account's failed logins afterwards
	locked   bool
	audit    []string // records written: action/outcome/object id
}

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		a, records := newAccounts(t, st)
		a.LockAfter = 3
		pw, u := addUser(t, a, "zhang.wei", "editor", "jtj")
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)
		admin := auth.Principal{UserID: 99, Login: "boss", Role: auth.RoleAdmin}
		unlock := func(p auth.Principal) error {
			return a.Unlock(ctx, p, "zhang.wei", p.Actor("10.0.0.9", "admin console"))
		}
		steps := []step{
			{"unknown login", "ghost", "whatever-1A", auth.ErrBadCredentials, 0, false, []string{"auth.login/failed/"}},
			{"malformed login is not recorded", "My Password 1!", "x", auth.ErrBadCredentials, 0, false, []string{"auth.login/failed/"}},
			{"wrong password", "zhang.wei", "Wrong-pass-1", auth.ErrBadCredentials, 1, false, []string{"auth.login/failed/zhang.wei"}},
			{"right password, any case", " Zhang.Wei", "!right", nil, 0, false, []string{"auth.login/ok/zhang.wei"}},
			{"wrong 1", "zhang.wei", "Wrong-pass-1", auth.ErrBadCredentials, 1, false, []string{"auth.login/failed/zhang.wei"}},
			{"wrong 2", "zhang.wei", "Wrong-pass-2", auth.ErrBadCredentials, 2, false, []string{"auth.login/failed/zhang.wei"}},
			{"wrong 3 locks", "zhang.wei", "Wrong-pass-3", auth.ErrBadCredentials, 3, true, []string{"auth.login/failed/zhang.wei", "user.lock/ok/zhang.wei"}},
			{"locked, right password", "zhang.wei", "!right", auth.ErrLocked, 3, true, []string{"auth.login/failed/zhang.wei"}},
			{"locked, wrong password says nothing of the lock", "zhang.wei", "Wrong-pass-4", auth.ErrBadCredentials, 3, true, []string{"auth.login/failed/zhang.wei"}},
			{"a password too long to hash", "zhang.wei", strings.Repeat("x", 5000), auth.ErrBadCredentials, 3, true, []string{"auth.login/failed/zhang.wei"}},
		}
		run := func(steps []step) {
			t.Helper()
			for i, s := range steps {
				before := len(records())
				if s.password == "!right" {
					s.password = pw
				}
				now := t0.Add(time.Duration(i) * time.Minute)
				secret, p, sess, err := a.Login(ctx, s.login, s.password, from, now)
				if !errors.Is(err, s.want) || (s.want == nil) != (err == nil) {
					t.Fatalf("%s: Login error %v, want %v", s.name, err, s.want)
				}
				if s.want == nil {
					if secret == "" || p.UserID != u.ID || p.Login != "zhang.wei" || p.Role != auth.RoleEditor || p.Unit != "jtj" || p.TokenID != 0 ||
						sess.UserID != u.ID || !sess.MustChange || sess.IP != from.IP || !sess.ExpiresAt.Equal(now.Add(12*time.Hour)) {
						t.Errorf("%s: %+v, %+v", s.name, p, sess)
					}
				} else if secret != "" || p != (auth.Principal{}) {
					t.Errorf("%s: a failed login returned %q, %+v", s.name, secret, p)
				}
				got, _ := st.UserByID(ctx, u.ID)
				if got.FailedLogins != s.failures || got.Locked() != s.locked {
					t.Errorf("%s: %d failures, locked %v; want %d, %v", s.name, got.FailedLogins, got.Locked(), s.failures, s.locked)
				}
				var wrote []string
				for _, r := range records()[before:] {
					wrote = append(wrote, r.Action+"/"+r.Outcome+"/"+r.ObjectID)
					if r.ObjectKind != "user" || !r.At.Equal(now) || r.Actor.IP != from.IP {
						t.Errorf("%s: record %+v", s.name, r)
					}
					if r.ObjectID == "zhang.wei" && r.ObjectUnit != "jtj" {
						t.Errorf("%s: record's object unit %q", s.name, r.ObjectUnit)
					}
					if r.Outcome == audit.OutcomeOK && r.Action == "auth.login" && (r.Actor.Login != "zhang.wei" || r.Actor.UserID != u.ID || r.Actor.Role != "editor") {
						t.Errorf("%s: a login's record names the actor %+v", s.name, r.Actor)
					}
					if strings.Contains(fmt.Sprintf("%+v", r), s.password) && len(s.password) > 3 {
						t.Errorf("%s: the password is in the audit record %+v", s.name, r)
					}
				}
				if strings.Join(wrote, " ") != strings.Join(s.audit, " ") {
					t.Errorf("%s: audit %v, want %v", s.name, wrote, s.audit)
				}
			}
		}
		run(steps)

		before := len(records())
		if err := unlock(auth.Principal{UserID: 5, Login: "rev", Role: auth.RoleReviewer}); !errors.Is(err, auth.ErrNotAdmin) {
			t.Fatalf("a reviewer unlocked: %v", err)
		}
		if err := unlock(admin); err != nil {
			t.Fatal(err)
		}
		if err := a.Unlock(ctx, admin, "ghost", from); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unlock of an unknown login: %v", err)
		}
		var wrote []string
		for _, r := range records()[before:] {
			wrote = append(wrote, r.Action+"/"+r.Outcome+"/"+r.Actor.Login)
		}
		if strings.Join(wrote, " ") != "user.unlock/refused/rev user.unlock/ok/boss" {
			t.Errorf("unlock audit: %v", wrote)
		}

		run([]step{
			{"unlocked", "zhang.wei", "!right", nil, 0, false, []string{"auth.login/ok/zhang.wei"}},
		})
		if err := st.DisableUser(ctx, u.ID, t0); err != nil {
			t.Fatal(err)
		}
		run([]step{
			{"disabled, right password", "zhang.wei", "!right", auth.ErrDisabled, 0, false, []string{"auth.login/failed/zhang.wei"}},
			{"disabled, wrong password", "zhang.wei", "Wrong-pass-5", auth.ErrBadCredentials, 0, false, []string{"auth.login/failed/zhang.wei"}},
		})
	})
}

// Concurrent wrong passwords are all counted and the account is locked
// once, with one user.lock record.
func TestLoginLocksOnceUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, records := newAccounts(t, st)
		_, u := addUser(t, a, "target", "reviewer", "")
		const n = 8
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, _, err := a.Login(ctx, "target", fmt.Sprintf("Guess-%d-xyz", i), from, time.Now()); !errors.Is(err, auth.ErrBadCredentials) {
					t.Errorf("guess %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		got, _ := st.UserByID(ctx, u.ID)
		locks := 0
		for _, r := range records() {
			if r.Action == "user.lock" {
				locks++
			}
		}
		// Guesses that waited for a hashing slot meet the lock the fifth set
		// and are not counted; the ones already past the re-read may be.
		if got.FailedLogins < auth.DefaultLockAfter || got.FailedLogins > n || !got.Locked() || locks != 1 || len(records()) != n+1 {
			t.Errorf("%d failures, locked %v, %d lock records, %d records; want %d..%d, true, 1, %d", got.FailedLogins, got.Locked(), locks, len(records()), auth.DefaultLockAfter, n, n+1)
		}
	})
}

// An unknown login costs the same argon2 work as a wrong password, so the
// answer's time does not tell which logins exist.
func TestLoginTimingOfUnknownLogins(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	a, _ := newAccounts(t, st)
	a.LockAfter = 0
	addUser(t, a, "known", "auditor", "")
	fastest := func(login string) time.Duration {
		best := time.Hour
		for i := 0; i < 3; i++ {
			start := time.Now()
			_, _, _, _ = a.Login(ctx, login, "Not-the-password-1", from, time.Now())
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := fastest("known"), fastest("unknown")
	if unknown < known/3 {
		t.Errorf("unknown login answered in %v, a wrong password in %v: the difference shows which logins exist", unknown, known)
	}
}

// A login the audit log cannot hold does not happen: no session is left.
func TestLoginNeedsItsAuditRecord(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	a := auth.NewAccounts(st, quiet)
	pw, u := addUser(t, a, "careful", "auditor", "")
	auth.WatchAudit(a, errors.New("disk full"))
	if _, _, _, err := a.Login(ctx, "careful", pw, from, time.Now()); err == nil {
		t.Fatal("login succeeded without its audit record")
	}
	if n, err := st.DeleteUserSessions(ctx, u.ID, ""); err != nil || n != 0 {
		t.Errorf("%d sessions left behind (%v)", n, err)
	}
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, records := newAccounts(t, st)
		a.IdleTimeout = 24 * time.Hour
		pw, u := addUser(t, a, "wang.fang", "reviewer", "")
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)
		secretA, p, sessA, err := a.Login(ctx, "wang.fang", pw, from, t0)
		if err != nil {
			t.Fatal(err)
		}
		secretB, _, _, err := a.Login(ctx, "wang.fang", pw, audit.Actor{IP: "10.9.9.9"}, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		actor := p.Actor(from.IP, from.UserAgent)
		const newPW = "Neue-Passwort-2026"
		tests := []struct {
			name     string
			p        auth.Principal
			sess     store.Session
			old, new string
			field    string
			want     error
		}{
			{"a token has no password", auth.Principal{TokenID: 3, Role: auth.RoleReviewer}, store.Session{}, pw, newPW, "", auth.ErrNotAccount},
			{"another user's session", p, store.Session{Hash: "x", UserID: p.UserID + 1}, pw, newPW, "", auth.ErrNotAccount},
			{"same as the old", p, sessA, pw, pw, "new_password", nil},
			{"too simple", p, sessA, pw, "abcdefghij", "new_password", nil},
			{"contains the login", p, sessA, pw, "Wang.Fang-2026", "new_password", nil},
			{"wrong old password", p, sessA, "Not-my-password-1", newPW, "", auth.ErrBadCredentials},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := a.ChangePassword(ctx, tc.p, tc.sess, tc.old, tc.new, actor, t0.Add(time.Hour))
				if tc.field != "" {
					if fe, ok := catalog.AsFieldErrors(err); !ok || fe[0].Field != tc.field {
						t.Errorf("ChangePassword = %v, want a field error on %s", err, tc.field)
					}
				} else if !errors.Is(err, tc.want) {
					t.Errorf("ChangePassword = %v, want %v", err, tc.want)
				}
				if got, _ := st.UserByID(ctx, u.ID); got.PasswordHash != u.PasswordHash || !got.MustChange {
					t.Errorf("a refused change changed the account: %+v", got)
				}
			})
		}
		if got, _ := st.UserByID(ctx, u.ID); got.FailedLogins != 1 {
			t.Errorf("the wrong old password was not counted: %d failures", got.FailedLogins)
		}

		before := len(records())
		at := t0.Add(2 * time.Hour)
		if err := a.ChangePassword(ctx, p, sessA, pw, newPW, actor, at); err != nil {
			t.Fatal(err)
		}
		got, _ := st.UserByID(ctx, u.ID)
		if got.MustChange || got.FailedLogins != 0 || !got.PasswordChangedAt.Equal(at) {
			t.Errorf("after the change: %+v", got)
		}
		if _, s, err := a.Authenticate(ctx, secretA, at); err != nil || s.MustChange {
			t.Errorf("the session that changed the password: %+v, %v", s, err)
		}
		if _, _, err := a.Authenticate(ctx, secretB, at); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("the other session survived the change: %v", err)
		}
		if _, _, _, err := a.Login(ctx, "wang.fang", pw, from, at); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("the old password still works: %v", err)
		}
		if _, _, _, err := a.Login(ctx, "wang.fang", newPW, from, at); err != nil {
			t.Errorf("the new password does not work: %v", err)
		}
		recs := records()[before:]
		if len(recs) == 0 || recs[0].Action != "user.password" || recs[0].Outcome != audit.OutcomeOK || recs[0].Actor.Login != "wang.fang" ||
			!strings.Contains(recs[0].Summary, "1 other sessions ended") {
			t.Errorf("audit of the change: %+v", recs)
		}
		for _, r := range records() {
			if strings.Contains(r.Summary, newPW) || strings.Contains(r.Summary, pw) {
				t.Errorf("a password in the audit log: %+v", r)
			}
		}
	})
}
