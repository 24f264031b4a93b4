package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gongkai/internal/store"
)

// The console's session cookie. The console sets it HttpOnly, SameSite=Lax
// and Secure when served over TLS (or when configured to); see
// docs/accounts.md.
const (
	SessionCookieName = "gk_session"
	SessionCookiePath = "/console"
)

// sessionBytes is the entropy of a session secret and of a CSRF token;
// their base64url text is 43 characters.
const sessionBytes = 32

// ErrNoSession means a presented session secret is missing, malformed,
// unknown, or belongs to a session that has ended (idle too long, past its
// absolute expiry, logged out, or of a disabled account). The console
// answers all of these with the login page.
var ErrNoSession = errors.New("auth: no session")

func randomText() string {
	var b [sessionBytes]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashSession returns the stored form of a session secret a browser
// presented, or ErrNoSession when it cannot be one of ours.
func hashSession(secret string) (string, error) {
	if len(secret) != base64.RawURLEncoding.EncodedLen(sessionBytes) {
		return "", ErrNoSession
	}
	if b, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(b) != sessionBytes {
		return "", ErrNoSession
	}
	return hashSecret(secret), nil
}

// CSRFValid reports whether presented is the session's form token. The
// comparison takes the same time wherever the two differ; an empty token
// is never valid.
func CSRFValid(sess store.Session, presented string) bool {
	if sess.CSRFToken == "" || presented == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sess.CSRFToken), []byte(presented)) == 1
}

// startSession makes a session for u and stores it; the secret it returns
// is the cookie's value and exists nowhere else.
func (a *Accounts) startSession(ctx context.Context, u store.User, ip, userAgent string, now time.Time) (string, store.Session, error) {
	secret := randomText()
	sess := store.Session{Hash: hashSecret(secret), UserID: u.ID, CSRFToken: randomText(),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(a.AbsoluteTimeout), IP: ip, UserAgent: userAgent}
	if err := a.st.CreateSession(ctx, sess); err != nil {
		return "", store.Session{}, fmt.Errorf("auth: start session: %w", err)
	}
	// As the store will read it back: to the millisecond, in local time.
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = storeTime(now), storeTime(now), storeTime(sess.ExpiresAt)
	sess.MustChange = u.MustChange
	return secret, sess, nil
}

// Authenticate returns the principal and session of a presented session
// secret as of now. A session idle for IdleTimeout, or past its absolute
// expiry, or of a disabled account, is deleted and gives ErrNoSession, as
// does a secret nobody holds. Its last use is written at most once per
// TouchEvery. The session's MustChange says whether the console must ask
// for a new password before anything else.
func (a *Accounts) Authenticate(ctx context.Context, secret string, now time.Time) (Principal, store.Session, error) {
	hash, err := hashSession(secret)
	if err != nil {
		return Principal{}, store.Session{}, err
	}
	sess, u, err := a.st.SessionByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, store.Session{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, store.Session{}, fmt.Errorf("auth: look up session: %w", err)
	}
	// The lookup already matched the hash; comparing again in constant time
	// costs nothing and does not depend on how the database compares.
	if subtle.ConstantTimeCompare([]byte(sess.Hash), []byte(hash)) != 1 {
		return Principal{}, store.Session{}, ErrNoSession
	}
	ended := ""
	switch {
	case !now.Before(sess.ExpiresAt):
		ended = "expired"
	case now.Sub(sess.LastSeenAt) >= a.IdleTimeout:
		ended = "idle"
	case u.Disabled():
		ended = "account disabled"
	}
	p, perr := principalOf(u)
	if ended == "" && perr != nil {
		ended = "account invalid"
		a.log.Warn("session of an invalid account", slog.Int64("user_id", u.ID), slog.Any("err", perr))
	}
	if ended != "" {
		a.endSession(ctx, hash, u.ID, ended)
		return Principal{}, store.Session{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= a.TouchEvery {
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), touchTimeout)
		if err := a.st.TouchSession(tctx, hash, now); err != nil {
			a.log.Warn("cannot record session use", slog.Int64("user_id", u.ID), slog.Any("err", err))
		} else {
			sess.LastSeenAt = storeTime(now)
		}
		cancel()
	}
	return p, sess, nil
}

// endSession deletes a session that has ended; a failure only leaves a
// dead row for PruneSessions.
func (a *Accounts) endSession(ctx context.Context, hash string, userID int64, why string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), touchTimeout)
	defer cancel()
	if err := a.st.DeleteSession(dctx, hash); err != nil {
		a.log.Warn("cannot delete ended session", slog.Int64("user_id", userID), slog.String("why", why), slog.Any("err", err))
	}
}

// Logout ends the session of a presented secret. Logging out of a session
// that has already ended, or with a secret that is no session's, is not
// an error.
func (a *Accounts) Logout(ctx context.Context, secret string) error {
	hash, err := hashSession(secret)
	if err != nil {
		return nil
	}
	if err := a.st.DeleteSession(ctx, hash); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}

// PruneSessions deletes every session that has ended by now and says how
// many. Authenticate deletes ended sessions it meets; this removes those
// nobody comes back to.
func (a *Accounts) PruneSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := a.st.DeleteExpiredSessions(ctx, now, a.IdleTimeout)
	if err != nil {
		return 0, fmt.Errorf("auth: prune sessions: %w", err)
	}
	return n, nil
}

// principalOf is the principal of a console account, checked as Verify
// checks a token: a known role, and a unit exactly for the unit roles.
func principalOf(u store.User) (Principal, error) {
	role, err := ParseRole(u.Role)
	if err != nil {
		return Principal{}, fmt.Errorf("auth: account %q: %w", u.Login, err)
	}
	if role.NeedsUnit() != (u.Unit != "") {
		return Principal{}, fmt.Errorf("auth: account %q: role %s with unit %q", u.Login, role, u.Unit)
	}
	return Principal{UserID: u.ID, Login: u.Login, Role: role, Unit: u.Unit}, nil
}

// storeTime is t as the store keeps it.
func storeTime(t time.Time) time.Time { return store.FromMillis(store.Millis(t)) }
