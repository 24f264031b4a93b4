package store

import (
	"context"
	"fmt"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/catalog"
)

// User is a console account. The password is kept only as PasswordHash,
// an argon2id PHC string made by the auth package; the store neither makes
// nor checks it.
type User struct {
	ID                int64      `json:"id"`
	Login             string     `json:"login"`
	Name              string     `json:"name"`
	Role              string     `json:"role"`
	Unit              string     `json:"unit,omitempty"` // empty for the city office's roles (NULL in the table)
	PasswordHash      string     `json:"-"`
	MustChange        bool       `json:"must_change"` // the next login must set a new password
	FailedLogins      int        `json:"failed_logins"`
	LockedAt          *time.Time `json:"locked_at"`
	DisabledAt        *time.Time `json:"disabled_at"`
	PasswordChangedAt time.Time  `json:"password_changed_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

// Locked reports whether repeated failed logins have locked the account.
func (u User) Locked() bool { return u.LockedAt != nil }

// Disabled reports whether the account has been switched off.
func (u User) Disabled() bool { return u.DisabledAt != nil }

type userRecord struct {
	ID                int64   `db:"id"`
	Login             string  `db:"login"`
	Name              string  `db:"name"`
	Role              string  `db:"role"`
	Unit              *string `db:"unit"`
	PasswordHash      string  `db:"password_hash"`
	MustChange        bool    `db:"must_change"`
	FailedLogins      int     `db:"failed_logins"`
	LockedAt          *int64  `db:"locked_at"`
	DisabledAt        *int64  `db:"disabled_at"`
	PasswordChangedAt int64   `db:"password_changed_at"`
	CreatedAt         int64   `db:"created_at"`
	UpdatedAt         int64   `db:"updated_at"`
}

const userFields = `u.id, u.login, u.name, u.role, u.unit, u.password_hash, u.must_change, u.failed_logins,
 u.locked_at, u.disabled_at, u.password_changed_at, u.created_at, u.updated_at`

const userSelect = `SELECT ` + userFields + ` FROM users u`

func optTime(ms *int64) *time.Time {
	if ms == nil {
		return nil
	}
	t := FromMillis(*ms)
	return &t
}

func (r userRecord) user() User {
	u := User{ID: r.ID, Login: r.Login, Name: r.Name, Role: r.Role, PasswordHash: r.PasswordHash,
		MustChange: r.MustChange, FailedLogins: r.FailedLogins, LockedAt: optTime(r.LockedAt), DisabledAt: optTime(r.DisabledAt),
		PasswordChangedAt: FromMillis(r.PasswordChangedAt), CreatedAt: FromMillis(r.CreatedAt), UpdatedAt: FromMillis(r.UpdatedAt)}
	if r.Unit != nil {
		u.Unit = *r.Unit
	}
	return u
}

// CreateUser stores a new account (Login, Name, Role, Unit, PasswordHash,
// MustChange of u; CreatedAt too when set, else now) and returns it with
// its id. A unit that does not exist is a catalog.FieldErrors on "unit";
// a login already taken is ErrConflict. Checking the role and the login's
// form is the caller's job.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	return s.createUser(ctx, u, nil)
}

// CreateUserAudited is CreateUser with its audit record written in the
// same transaction: an account nobody can trace is never made.
func (s *Store) CreateUserAudited(ctx context.Context, u User, rec audit.Record) (User, error) {
	return s.createUser(ctx, u, &rec)
}

func (s *Store) createUser(ctx context.Context, u User, rec *audit.Record) (User, error) {
	if u.Login == "" || u.Role == "" || u.PasswordHash == "" {
		return User{}, fmt.Errorf("store: create user: login, role and password hash are required")
	}
	var unit any
	if u.Unit != "" {
		unit = u.Unit
	}
	now := nowMillis()
	if !u.CreatedAt.IsZero() {
		now = Millis(u.CreatedAt)
	}
	err := s.inTx(ctx, func(t *Tx) error {
		if u.Unit != "" {
			var n int
			if err := t.get(ctx, &n, `SELECT COUNT(*) FROM units WHERE code = ?`, u.Unit); err != nil {
				return fmt.Errorf("store: user unit: %w", err)
			}
			if n == 0 {
				return catalog.FieldErrors{{Field: "unit", Reason: fmt.Sprintf("单位 %q 不存在 (unknown unit)", u.Unit)}}
			}
		}
		err := t.get(ctx, &u.ID, `INSERT INTO users (login, name, role, unit, password_hash, must_change, failed_logins,
 password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id`,
			u.Login, u.Name, u.Role, unit, u.PasswordHash, u.MustChange, now, now, now)
		if err != nil {
			return fmt.Errorf("store: create user %q: %w", u.Login, mapConflict(err))
		}
		if rec != nil {
			_, err = t.AppendAudit(ctx, *rec)
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	at := FromMillis(now)
	u.FailedLogins, u.LockedAt, u.DisabledAt = 0, nil, nil
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = at, at, at
	return u, nil
}

// UserByLogin returns the account with this login (ErrNotFound when none).
func (s *Store) UserByLogin(ctx context.Context, login string) (User, error) {
	var r userRecord
	if err := s.get(ctx, &r, userSelect+` WHERE u.login = ?`, login); err != nil {
		return User{}, notFound(err, fmt.Sprintf("user %q", login))
	}
	return r.user(), nil
}

// UserByID returns one account by id (ErrNotFound when none).
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var r userRecord
	if err := s.get(ctx, &r, userSelect+` WHERE u.id = ?`, id); err != nil {
		return User{}, notFound(err, fmt.Sprintf("user %d", id))
	}
	return r.user(), nil
}

// Users returns every account, disabled ones included, by login.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var rs []userRecord
	if err := s.sel(ctx, &rs, userSelect+` ORDER BY u.login`); err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	out := make([]User, len(rs))
	for i, r := range rs {
		out[i] = r.user()
	}
	return out, nil
}

// updateUser runs one UPDATE of a user row and turns "no row" into
// ErrNotFound.
func (s *Store) updateUser(ctx context.Context, id int64, what, q string, args ...any) error {
	return s.inTx(ctx, func(t *Tx) error {
		return t.updateUser(ctx, id, what, q, args...)
	})
}

func (t *Tx) updateUser(ctx context.Context, id int64, what, q string, args ...any) error {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: %s user %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: %s user %d: %w", what, id, err)
	} else if n == 0 {
		return fmt.Errorf("store: user %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetPassword replaces an account's password hash, says whether the next
// login must change it, and clears its failed logins (a new password is a
// fresh start; it does not unlock a locked account).
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, at time.Time) error {
	if hash == "" {
		return fmt.Errorf("store: set password of user %d: empty hash", id)
	}
	ms := Millis(at)
	return s.updateUser(ctx, id, "set password of",
		`UPDATE users SET password_hash = ?, must_change = ?, failed_logins = 0, password_changed_at = ?, updated_at = ? WHERE id = ?`,
		hash, mustChange, ms, ms, id)
}

// RecordLoginFailure counts a failed login of an account, in one statement
// so that concurrent failures are all counted, and locks the account when
// the count reaches lockAfter (0: never). It returns the new count and
// whether this failure is the one that locked the account.
func (s *Store) RecordLoginFailure(ctx context.Context, id int64, at time.Time, lockAfter int) (failures int, lockedNow bool, err error) {
	ms := Millis(at)
	limit := lockAfter
	if limit <= 0 {
		limit = int(^uint32(0) >> 1) // never reached
	}
	var got struct {
		Failures int    `db:"failed_logins"`
		LockedAt *int64 `db:"locked_at"`
	}
	err = s.inTx(ctx, func(t *Tx) error {
		// The right-hand sides read the row as it was before this update,
		// on both databases.
		err := t.get(ctx, &got, `UPDATE users SET failed_logins = failed_logins + 1,
 locked_at = CASE WHEN locked_at IS NULL AND failed_logins + 1 >= ? THEN ? ELSE locked_at END, updated_at = ?
 WHERE id = ? RETURNING failed_logins, locked_at`, limit, ms, ms, id)
		if err != nil {
			return notFound(err, fmt.Sprintf("record login failure of user %d", id))
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	// Each failure gets its own count, and counts only reach the limit
	// again after an unlock or a good login has set them back to zero: so
	// the failure whose count is exactly the limit is the one that locked.
	// (A limit lowered below a count already passed locks at the next
	// failure without saying so.)
	lockedNow = got.LockedAt != nil && got.Failures == limit
	return got.Failures, lockedNow, nil
}

// ResetLoginFailures sets an account's failed logins back to zero after a
// good login. It writes only when there is something to reset.
func (s *Store) ResetLoginFailures(ctx context.Context, id int64, at time.Time) error {
	return s.inTx(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, `UPDATE users SET failed_logins = 0, updated_at = ? WHERE id = ? AND failed_logins <> 0`, Millis(at), id)
		if err != nil {
			return fmt.Errorf("store: reset login failures of user %d: %w", id, err)
		}
		return nil
	})
}

// UnlockUser lifts a lock and clears the failed logins.
func (s *Store) UnlockUser(ctx context.Context, id int64, at time.Time) error {
	return s.updateUser(ctx, id, "unlock",
		`UPDATE users SET locked_at = NULL, failed_logins = 0, updated_at = ? WHERE id = ?`, Millis(at), id)
}

// DisableUser switches an account off for good and ends its sessions, in
// one transaction. Disabling a disabled account keeps the first time.
func (s *Store) DisableUser(ctx context.Context, id int64, at time.Time) error {
	ms := Millis(at)
	return s.inTx(ctx, func(t *Tx) error {
		if err := t.updateUser(ctx, id, "disable",
			`UPDATE users SET disabled_at = COALESCE(disabled_at, ?), updated_at = ? WHERE id = ?`, ms, ms, id); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("store: end sessions of user %d: %w", id, err)
		}
		return nil
	})
}

// Session is a console login. The cookie's secret is never stored: Hash is
// its SHA-256 in hex, the key a request is looked up by. CSRFToken is the
// session's own form token, kept as is (it guards forms, not the login).
type Session struct {
	Hash       string    `json:"-"`
	UserID     int64     `json:"user_id"`
	CSRFToken  string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"` // the absolute end, however busy the session
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	// MustChange is the account's flag (not a column of sessions), read
	// with the session so that every request knows whether the console
	// must first ask for a new password.
	MustChange bool `json:"must_change"`
}

type sessionRecord struct {
	Hash       string `db:"token_hash"`
	UserID     int64  `db:"user_id"`
	CSRFToken  string `db:"csrf_token"`
	CreatedAt  int64  `db:"s_created_at"`
	LastSeenAt int64  `db:"last_seen_at"`
	ExpiresAt  int64  `db:"expires_at"`
	IP         string `db:"ip"`
	UserAgent  string `db:"user_agent"`
}

func (r sessionRecord) session() Session {
	return Session{Hash: r.Hash, UserID: r.UserID, CSRFToken: r.CSRFToken, CreatedAt: FromMillis(r.CreatedAt),
		LastSeenAt: FromMillis(r.LastSeenAt), ExpiresAt: FromMillis(r.ExpiresAt), IP: r.IP, UserAgent: r.UserAgent}
}

// CreateSession stores a new session. Every field but LastSeenAt is the
// caller's (LastSeenAt defaults to CreatedAt); a hash already present is
// ErrConflict, an unknown user an error from the foreign key.
func (s *Store) CreateSession(ctx context.Context, sess Session) error {
	if sess.Hash == "" || sess.CSRFToken == "" || sess.UserID == 0 || sess.CreatedAt.IsZero() || sess.ExpiresAt.IsZero() {
		return fmt.Errorf("store: create session: hash, CSRF token, user, creation and expiry are required")
	}
	if sess.LastSeenAt.IsZero() {
		sess.LastSeenAt = sess.CreatedAt
	}
	return s.inTx(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sess.Hash, sess.UserID, sess.CSRFToken, Millis(sess.CreatedAt), Millis(sess.LastSeenAt),
			Millis(sess.ExpiresAt), clip(sess.IP, 64), clip(sess.UserAgent, 300))
		if err != nil {
			return fmt.Errorf("store: create session of user %d: %w", sess.UserID, mapConflict(err))
		}
		return nil
	})
}

// SessionByHash returns a session and its account, read together
// (ErrNotFound when there is no such session). Expiry is the caller's to
// judge.
func (s *Store) SessionByHash(ctx context.Context, hash string) (Session, User, error) {
	var r struct {
		sessionRecord
		userRecord
	}
	err := s.get(ctx, &r, `SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at,
 s.ip, s.user_agent, `+userFields+` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, hash)
	if err != nil {
		return Session{}, User{}, notFound(err, "session")
	}
	sess, u := r.sessionRecord.session(), r.userRecord.user()
	sess.MustChange = u.MustChange
	return sess, u, nil
}

// TouchSession records that a session was used at at. Its last use only
// moves forward, so a slow request cannot set it back.
func (s *Store) TouchSession(ctx context.Context, hash string, at time.Time) error {
	ms := Millis(at)
	return s.inTx(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`, ms, hash, ms); err != nil {
			return fmt.Errorf("store: touch session: %w", err)
		}
		return nil
	})
}

// DeleteSession ends one session; ending one that is gone is no error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.inTx(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		return nil
	})
}

// DeleteUserSessions ends every session of an account but the one whose
// hash is exceptHash (none kept when it is empty), and says how many.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, exceptHash string) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, exceptHash)
		if err != nil {
			return fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// DeleteExpiredSessions removes the sessions past their absolute expiry
// or unused for idle or longer as of now, and says how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	ms := Millis(now)
	var n int64
	err := s.inTx(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`, ms, ms-idle.Milliseconds())
		if err != nil {
			return fmt.Errorf("store: delete expired sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
