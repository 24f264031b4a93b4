package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)
		ed, err := st.CreateUser(ctx, store.User{Login: "zhang.wei", Name: "张伟", Role: "editor", Unit: "jtj", PasswordHash: "$h1", MustChange: true, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		adm, err := st.CreateUser(ctx, store.User{Login: "admin", Role: "admin", PasswordHash: "$h2"})
		if err != nil {
			t.Fatal(err)
		}
		if ed.ID == 0 || adm.ID <= ed.ID || !ed.CreatedAt.Equal(t0) || !ed.PasswordChangedAt.Equal(t0) || adm.CreatedAt.IsZero() {
			t.Fatalf("created %+v, %+v", ed, adm)
		}

		t.Run("errors", func(t *testing.T) {
			tests := []struct {
				name  string
				u     store.User
				check func(error) bool
			}{
				{"unknown unit", store.User{Login: "x1", Role: "editor", Unit: "nope", PasswordHash: "$h"}, func(err error) bool {
					fe, ok := catalog.AsFieldErrors(err)
					return ok && fe[0].Field == "unit"
				}},
				{"login taken", store.User{Login: "admin", Role: "reviewer", PasswordHash: "$h"}, func(err error) bool { return errors.Is(err, store.ErrConflict) }},
				{"no hash", store.User{Login: "x2", Role: "admin"}, func(err error) bool { return err != nil }},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					if _, err := st.CreateUser(ctx, tc.u); !tc.check(err) {
						t.Errorf("CreateUser: %v", err)
					}
				})
			}
			if _, err := st.UserByLogin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown login: %v", err)
			}
			if _, err := st.UserByID(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown id: %v", err)
			}
			for name, err := range map[string]error{
				"SetPassword": st.SetPassword(ctx, 9999, "$h", false, t0),
				"UnlockUser":  st.UnlockUser(ctx, 9999, t0),
				"DisableUser": st.DisableUser(ctx, 9999, t0),
			} {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s of an unknown user: %v", name, err)
				}
			}
			if _, _, err := st.RecordLoginFailure(ctx, 9999, t0, 5); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("RecordLoginFailure of an unknown user: %v", err)
			}
		})

		t.Run("lookup", func(t *testing.T) {
			got, err := st.UserByLogin(ctx, "zhang.wei")
			if err != nil || got.ID != ed.ID || got.Name != "张伟" || got.Role != "editor" || got.Unit != "jtj" || got.PasswordHash != "$h1" ||
				!got.MustChange || got.Locked() || got.Disabled() || !got.UpdatedAt.Equal(t0) {
				t.Errorf("UserByLogin = %+v, %v", got, err)
			}
			got, err = st.UserByID(ctx, adm.ID)
			if err != nil || got.Login != "admin" || got.Unit != "" || got.MustChange {
				t.Errorf("UserByID = %+v, %v", got, err)
			}
			all, err := st.Users(ctx)
			if err != nil || len(all) != 2 || all[0].Login != "admin" || all[1].Login != "zhang.wei" {
				t.Errorf("Users = %+v, %v", all, err)
			}
		})

		t.Run("failures lock at the limit", func(t *testing.T) {
			steps := []struct {
				failures  int
				lockedNow bool
			}{{1, false}, {2, false}, {3, true}, {4, false}}
			for i, s := range steps {
				at := t0.Add(time.Duration(i) * time.Minute)
				n, lockedNow, err := st.RecordLoginFailure(ctx, ed.ID, at, 3)
				if err != nil || n != s.failures || lockedNow != s.lockedNow {
					t.Errorf("failure %d: %d, %v, %v; want %d, %v", i+1, n, lockedNow, err, s.failures, s.lockedNow)
				}
			}
			got, _ := st.UserByID(ctx, ed.ID)
			if !got.Locked() || !got.LockedAt.Equal(t0.Add(2*time.Minute)) || got.FailedLogins != 4 {
				t.Errorf("after four failures: locked at %v, %d failures", got.LockedAt, got.FailedLogins)
			}
			if err := st.UnlockUser(ctx, ed.ID, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			got, _ = st.UserByID(ctx, ed.ID)
			if got.Locked() || got.FailedLogins != 0 || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("after unlock: %+v", got)
			}
			if n, lockedNow, _ := st.RecordLoginFailure(ctx, ed.ID, t0, 0); n != 1 || lockedNow {
				t.Errorf("lockAfter 0 never locks: %d, %v", n, lockedNow)
			}
			if err := st.ResetLoginFailures(ctx, ed.ID, t0); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.UserByID(ctx, ed.ID); got.FailedLogins != 0 || got.Locked() {
				t.Errorf("after reset: %+v", got)
			}
		})

		t.Run("concurrent failures are all counted, one locks", func(t *testing.T) {
			u, err := st.CreateUser(ctx, store.User{Login: "busy", Role: "reviewer", PasswordHash: "$h"})
			if err != nil {
				t.Fatal(err)
			}
			const n = 12
			var wg sync.WaitGroup
			var mu sync.Mutex
			locks := 0
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, lockedNow, err := st.RecordLoginFailure(ctx, u.ID, t0.Add(time.Duration(i)*time.Second), 5)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Error(err)
					}
					if lockedNow {
						locks++
					}
				}()
			}
			wg.Wait()
			got, _ := st.UserByID(ctx, u.ID)
			if got.FailedLogins != n || !got.Locked() || locks != 1 {
				t.Errorf("%d failures counted, locked %v, %d reported the lock; want %d, true, 1", got.FailedLogins, got.Locked(), locks, n)
			}
		})

		t.Run("set password", func(t *testing.T) {
			if _, _, err := st.RecordLoginFailure(ctx, ed.ID, t0, 5); err != nil {
				t.Fatal(err)
			}
			at := t0.Add(2 * time.Hour)
			if err := st.SetPassword(ctx, ed.ID, "$h-new", false, at); err != nil {
				t.Fatal(err)
			}
			got, _ := st.UserByID(ctx, ed.ID)
			if got.PasswordHash != "$h-new" || got.MustChange || got.FailedLogins != 0 || !got.PasswordChangedAt.Equal(at) || !got.CreatedAt.Equal(t0) {
				t.Errorf("after SetPassword: %+v", got)
			}
			if err := st.SetPassword(ctx, ed.ID, "", false, at); err == nil {
				t.Error("empty hash accepted")
			}
		})
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)
		u1, err := st.CreateUser(ctx, store.User{Login: "li", Role: "reviewer", PasswordHash: "$h"})
		if err != nil {
			t.Fatal(err)
		}
		u2, err := st.CreateUser(ctx, store.User{Login: "wang", Role: "auditor", PasswordHash: "$h", MustChange: true})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(hash string, u store.User, created time.Time) store.Session {
			t.Helper()
			s := store.Session{Hash: hash, UserID: u.ID, CSRFToken: "csrf-" + hash, CreatedAt: created, ExpiresAt: created.Add(12 * time.Hour),
				IP: "10.0.0.1", UserAgent: "Mozilla/5.0"}
			if err := st.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		a := mk("s-a", u1, t0)
		mk("s-b", u1, t0.Add(time.Minute))
		mk("s-c", u1, t0.Add(2*time.Minute))
		mk("s-d", u2, t0)

		t.Run("errors", func(t *testing.T) {
			if err := st.CreateSession(ctx, a); !errors.Is(err, store.ErrConflict) {
				t.Errorf("same hash twice: %v", err)
			}
			if err := st.CreateSession(ctx, store.Session{Hash: "s-x", UserID: 9999, CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err == nil {
				t.Error("session of an unknown user accepted")
			}
			if err := st.CreateSession(ctx, store.Session{Hash: "s-y", UserID: u1.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err == nil {
				t.Error("session without a CSRF token accepted")
			}
			if _, _, err := st.SessionByHash(ctx, "s-none"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown session: %v", err)
			}
		})

		t.Run("lookup joins the account", func(t *testing.T) {
			s, u, err := st.SessionByHash(ctx, "s-a")
			if err != nil || s.Hash != "s-a" || s.UserID != u1.ID || s.CSRFToken != "csrf-s-a" || !s.CreatedAt.Equal(t0) || !s.LastSeenAt.Equal(t0) ||
				!s.ExpiresAt.Equal(t0.Add(12*time.Hour)) || s.IP != "10.0.0.1" || s.UserAgent != "Mozilla/5.0" || s.MustChange {
				t.Errorf("session = %+v, %v", s, err)
			}
			if u.ID != u1.ID || u.Login != "li" || u.Role != "reviewer" || !u.CreatedAt.Equal(u1.CreatedAt) {
				t.Errorf("its user = %+v", u)
			}
			if s, _, _ := st.SessionByHash(ctx, "s-d"); !s.MustChange {
				t.Error("MustChange of the account not carried on the session")
			}
		})

		t.Run("touch only moves forward", func(t *testing.T) {
			steps := []struct{ at, want time.Time }{
				{t0.Add(5 * time.Minute), t0.Add(5 * time.Minute)},
				{t0.Add(3 * time.Minute), t0.Add(5 * time.Minute)},
				{t0.Add(6 * time.Minute), t0.Add(6 * time.Minute)},
			}
			for i, s := range steps {
				if err := st.TouchSession(ctx, "s-a", s.at); err != nil {
					t.Fatal(err)
				}
				got, _, _ := st.SessionByHash(ctx, "s-a")
				if !got.LastSeenAt.Equal(s.want) {
					t.Errorf("step %d: last seen %v, want %v", i, got.LastSeenAt, s.want)
				}
			}
		})

		t.Run("delete the others of a user", func(t *testing.T) {
			n, err := st.DeleteUserSessions(ctx, u1.ID, "s-a")
			if err != nil || n != 2 {
				t.Fatalf("DeleteUserSessions = %d, %v; want 2", n, err)
			}
			for hash, alive := range map[string]bool{"s-a": true, "s-b": false, "s-c": false, "s-d": true} {
				if _, _, err := st.SessionByHash(ctx, hash); (err == nil) != alive {
					t.Errorf("%s: %v, want alive %v", hash, err, alive)
				}
			}
			if err := st.DeleteSession(ctx, "s-a"); err != nil {
				t.Fatal(err)
			}
			if err := st.DeleteSession(ctx, "s-a"); err != nil {
				t.Errorf("deleting a deleted session: %v", err)
			}
			if _, _, err := st.SessionByHash(ctx, "s-a"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted session: %v", err)
			}
		})

		t.Run("expired and idle ones are deleted", func(t *testing.T) {
			now := t0.Add(24 * time.Hour)
			mk("s-fresh", u1, now.Add(-time.Minute))
			mk("s-idle", u1, now.Add(-2*time.Hour))
			old := store.Session{Hash: "s-old", UserID: u1.ID, CSRFToken: "c", CreatedAt: now.Add(-13 * time.Hour), LastSeenAt: now.Add(-time.Minute),
				ExpiresAt: now.Add(-time.Hour)}
			if err := st.CreateSession(ctx, old); err != nil {
				t.Fatal(err)
			}
			n, err := st.DeleteExpiredSessions(ctx, now, 30*time.Minute)
			if err != nil || n != 3 { // s-idle, s-old and s-d (from t0)
				t.Errorf("DeleteExpiredSessions = %d, %v; want 3", n, err)
			}
			if _, _, err := st.SessionByHash(ctx, "s-fresh"); err != nil {
				t.Errorf("fresh session gone: %v", err)
			}
		})

		t.Run("disabling ends the sessions", func(t *testing.T) {
			at := t0.Add(25 * time.Hour)
			if err := st.DisableUser(ctx, u1.ID, at); err != nil {
				t.Fatal(err)
			}
			if err := st.DisableUser(ctx, u1.ID, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			got, _ := st.UserByID(ctx, u1.ID)
			if !got.Disabled() || !got.DisabledAt.Equal(at) {
				t.Errorf("disabled at %v, want %v", got.DisabledAt, at)
			}
			if _, _, err := st.SessionByHash(ctx, "s-fresh"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("session of a disabled user: %v", err)
			}
		})
	})
}
