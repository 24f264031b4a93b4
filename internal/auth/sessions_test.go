package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestAuthenticate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		a, _ := newAccounts(t, st)
		pw, u := addUser(t, a, "chen", "approver", "jtj")
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)
		login := func(at time.Time) (string, store.Session) {
			t.Helper()
			secret, _, sess, err := a.Login(ctx, "chen", pw, from, at)
			if err != nil {
				t.Fatal(err)
			}
			return secret, sess
		}

		t.Run("the secret is stored only as its hash", func(t *testing.T) {
			secret, sess := login(t0)
			sum := sha256.Sum256([]byte(secret))
			if len(secret) != 43 || sess.Hash != hex.EncodeToString(sum[:]) {
				t.Errorf("secret %q (%d), hash %q", secret, len(secret), sess.Hash)
			}
			if _, _, err := st.SessionByHash(ctx, secret); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the secret itself finds a session: %v", err)
			}
			secret2, sess2 := login(t0)
			if secret2 == secret || sess2.CSRFToken == sess.CSRFToken || len(sess.CSRFToken) != 43 {
				t.Errorf("two logins share a secret or a CSRF token: %q %q", sess.CSRFToken, sess2.CSRFToken)
			}
		})

		t.Run("lifetime", func(t *testing.T) {
			secret, _ := login(t0)
			steps := []struct {
				name     string
				at       time.Time
				ok       bool
				lastSeen time.Time // after the step, when ok
			}{
				{"at once", t0, true, t0},
				{"within the touch gap: not written", t0.Add(40 * time.Second), true, t0},
				{"after a minute: touched", t0.Add(time.Minute), true, t0.Add(time.Minute)},
				{"idle 29 minutes", t0.Add(30 * time.Minute), true, t0.Add(30 * time.Minute)},
				{"idle 30 minutes ends it", t0.Add(60 * time.Minute), false, time.Time{}},
				{"and it stays ended", t0.Add(31 * time.Minute), false, time.Time{}},
			}
			for _, s := range steps {
				p, sess, err := a.Authenticate(ctx, secret, s.at)
				if s.ok != (err == nil) || (!s.ok && !errors.Is(err, auth.ErrNoSession)) {
					t.Fatalf("%s: %v", s.name, err)
				}
				if !s.ok {
					continue
				}
				if p.UserID != u.ID || p.Login != "chen" || p.Role != auth.RoleApprover || p.Unit != "jtj" || p.TokenID != 0 {
					t.Errorf("%s: principal %+v", s.name, p)
				}
				stored, _, _ := st.SessionByHash(ctx, sess.Hash)
				if !sess.LastSeenAt.Equal(s.lastSeen) || !stored.LastSeenAt.Equal(s.lastSeen) {
					t.Errorf("%s: last seen %v (stored %v), want %v", s.name, sess.LastSeenAt, stored.LastSeenAt, s.lastSeen)
				}
			}
			hash, _ := auth.HashSession(secret)
			if _, _, err := st.SessionByHash(ctx, hash); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the idle session's row is still there: %v", err)
			}
		})

		t.Run("absolute expiry however busy", func(t *testing.T) {
			secret, _ := login(t0)
			at := t0
			for ; at.Before(t0.Add(12 * time.Hour)); at = at.Add(20 * time.Minute) {
				if _, _, err := a.Authenticate(ctx, secret, at); err != nil {
					t.Fatalf("busy session ended at %v: %v", at.Sub(t0), err)
				}
			}
			if _, _, err := a.Authenticate(ctx, secret, t0.Add(12*time.Hour)); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("session alive after 12 hours: %v", err)
			}
		})

		t.Run("knobs", func(t *testing.T) {
			b := auth.NewAccounts(st, quiet)
			b.IdleTimeout, b.AbsoluteTimeout = 5*time.Minute, time.Hour
			secret, _, sess, err := b.Login(ctx, "chen", pw, from, t0)
			if err != nil || !sess.ExpiresAt.Equal(t0.Add(time.Hour)) {
				t.Fatalf("login: %+v, %v", sess, err)
			}
			if _, _, err := b.Authenticate(ctx, secret, t0.Add(5*time.Minute)); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("5 minutes idle with IdleTimeout 5m: %v", err)
			}
		})

		t.Run("logout", func(t *testing.T) {
			secret, _ := login(t0)
			if err := a.Logout(ctx, secret); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.Authenticate(ctx, secret, t0); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("after logout: %v", err)
			}
			for _, s := range []string{secret, "", "junk"} {
				if err := a.Logout(ctx, s); err != nil {
					t.Errorf("Logout(%q) again: %v", s, err)
				}
			}
		})

		t.Run("not a session", func(t *testing.T) {
			tok, _, _ := auth.NewSecret()
			for _, s := range []string{"", "short", tok, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
				if _, _, err := a.Authenticate(ctx, s, t0); !errors.Is(err, auth.ErrNoSession) {
					t.Errorf("Authenticate(%q) = %v", s, err)
				}
			}
		})

		t.Run("disabling ends sessions", func(t *testing.T) {
			secret, _ := login(t0)
			if err := st.DisableUser(ctx, u.ID, t0); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.Authenticate(ctx, secret, t0); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("session of a disabled account: %v", err)
			}
		})
	})
}

func TestPruneSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, _ := newAccounts(t, st)
		pw, _ := addUser(t, a, "zhao", "auditor", "")
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)
		old, _, _, err := a.Login(ctx, "zhao", pw, from, t0)
		if err != nil {
			t.Fatal(err)
		}
		// The next login prunes the first session, idle for an hour.
		fresh, _, _, err := a.Login(ctx, "zhao", pw, from, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		hash, _ := auth.HashSession(old)
		if _, _, err := st.SessionByHash(ctx, hash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the idle session was not pruned at the next login: %v", err)
		}
		if n, err := a.PruneSessions(ctx, t0.Add(time.Hour+time.Minute)); err != nil || n != 0 {
			t.Errorf("PruneSessions = %d, %v; want 0", n, err)
		}
		if n, err := a.PruneSessions(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
			t.Errorf("PruneSessions an hour later = %d, %v; want 1", n, err)
		}
		if _, _, err := a.Authenticate(ctx, fresh, t0.Add(2*time.Hour)); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("pruned session: %v", err)
		}
	})
}

func TestCSRFValid(t *testing.T) {
	sess := store.Session{CSRFToken: "tok-abc"}
	tests := []struct {
		name      string
		sess      store.Session
		presented string
		want      bool
	}{
		{"right", sess, "tok-abc", true},
		{"wrong", sess, "tok-abd", false},
		{"prefix", sess, "tok-ab", false},
		{"longer", sess, "tok-abcd", false},
		{"empty", sess, "", false},
		{"session without a token", store.Session{}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := auth.CSRFValid(tc.sess, tc.presented); got != tc.want {
				t.Errorf("CSRFValid = %v, want %v", got, tc.want)
			}
		})
	}
}
