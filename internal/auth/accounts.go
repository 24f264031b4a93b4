package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Errors of logging in and of account management. ErrBadCredentials is
// the one answer to an unknown login and to a wrong password alike, so
// that nobody learns which logins exist.
var (
	ErrBadCredentials = errors.New("auth: wrong login or password")
	ErrLocked         = errors.New("auth: account locked")
	ErrDisabled       = errors.New("auth: account disabled")
	ErrNotAdmin       = errors.New("auth: only an administrator may do this")
	ErrNotAccount     = errors.New("auth: not a console account")
)

// The defaults of the Accounts knobs.
const (
	DefaultLockAfter       = 5
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

var loginRE = regexp.MustCompile(`^[a-z0-9._-]{2,32}$`)

// ValidLogin reports whether s is a well-formed login name.
func ValidLogin(s string) bool { return loginRE.MatchString(s) }

// normalLogin is a login as typed, the way it is stored: logins are lower
// case, so "Zhang.Wei " finds zhang.wei.
func normalLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Accounts manages console accounts and their sessions: adding accounts,
// logging in and out, lockout, password changes. Set the knobs before
// first use; NewAccounts fills in the defaults.
type Accounts struct {
	// LockAfter is how many failed logins in a row lock an account until
	// an administrator unlocks it.
	LockAfter int
	// IdleTimeout ends a session that has not been used for this long.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends every session this long after its login, busy
	// or not.
	AbsoluteTimeout time.Duration
	// TouchEvery is how often a session's last use is written at most.
	TouchEvery time.Duration

	st  *store.Store
	log *slog.Logger
	// appendAudit writes an audit record (st.AppendAudit; tests watch it).
	appendAudit func(context.Context, audit.Record) (audit.Record, error)
	// hashSlots bounds the argon2 work running at once: each hash holds
	// 19 MiB, and a burst of logins must not take the server's memory.
	hashSlots chan struct{}
	// dummyHash is checked against for logins nobody has, so that they
	// take as long as a wrong password.
	dummyOnce sync.Once
	dummyHash string
}

// NewAccounts returns the accounts over st with the default knobs; log
// receives the failures that do not fail a request (and never a password
// or a secret).
func NewAccounts(st *store.Store, log *slog.Logger) *Accounts {
	if log == nil {
		log = slog.Default()
	}
	return &Accounts{
		LockAfter:       DefaultLockAfter,
		IdleTimeout:     DefaultIdleTimeout,
		AbsoluteTimeout: DefaultAbsoluteTimeout,
		TouchEvery:      TouchEvery,
		st:              st,
		log:             log,
		appendAudit:     st.AppendAudit,
		hashSlots:       make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
	}
}

// checkPassword checks a password against a hash, waiting for a free slot.
func (a *Accounts) checkPassword(ctx context.Context, hash, password string) (bool, error) {
	select {
	case a.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	return CheckPassword(hash, password)
}

// hashPassword hashes a password, waiting for a free slot.
func (a *Accounts) hashPassword(ctx context.Context, password string) (string, error) {
	select {
	case a.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	return HashPassword(password)
}

// burn does the work of checking a password for a login that has no
// account, so that it cannot be told from a wrong password by its time.
func (a *Accounts) burn(ctx context.Context, password string) {
	a.dummyOnce.Do(func() {
		h, err := HashPassword(randomText())
		if err != nil {
			panic(err) // only crypto/rand can fail here, and it does not return errors
		}
		a.dummyHash = h
	})
	_, _ = a.checkPassword(ctx, a.dummyHash, password)
}

// audit writes a record; a failure is logged, since the callers' answer
// (a refusal) stands either way.
func (a *Accounts) audit(ctx context.Context, r audit.Record) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := a.appendAudit(actx, r); err != nil {
		a.log.Error("cannot write audit record", slog.String("action", r.Action), slog.String("object_id", r.ObjectID), slog.Any("err", err))
	}
}

// AddUser checks a login, role and unit, makes an account for them with a
// one-time password and stores it; the account must set a new password at
// its first login. It returns that password, which exists nowhere else:
// show it once. Problems with the login, role or unit are
// catalog.FieldErrors; a login already taken is store.ErrConflict.
func (a *Accounts) AddUser(ctx context.Context, login, role, unit, name string) (string, store.User, error) {
	return a.AddUserBy(ctx, audit.Actor{}, login, role, unit, name)
}

// AddUserBy is AddUser on behalf of actor (the administrator, or the
// command line), written to the audit log in the same transaction as the
// account (user.create).
func (a *Accounts) AddUserBy(ctx context.Context, actor audit.Actor, login, role, unit, name string) (string, store.User, error) {
	var fe catalog.FieldErrors
	login = normalLogin(login)
	if !ValidLogin(login) {
		fe.Add("login", fmt.Sprintf("登录名应为 2–32 个小写字母、数字或 . _ - (got %q)", login))
	}
	r, unit := roleAndUnit(&fe, role, unit)
	if len(fe) > 0 {
		return "", store.User{}, fe
	}
	password := NewOneTimePassword()
	for CheckPasswordPolicy(login, password) != nil { // it happened to contain the login
		password = NewOneTimePassword()
	}
	hash, err := a.hashPassword(ctx, password)
	if err != nil {
		return "", store.User{}, err
	}
	rec := audit.Record{At: time.Now(), Actor: actor, Action: "user.create", ObjectKind: "user", ObjectID: login, ObjectUnit: unit,
		Summary: audit.Change(nil, map[string]string{"role": string(r), "unit": unit, "name": strings.TrimSpace(name)})}
	u, err := a.st.CreateUserAudited(ctx, store.User{Login: login, Name: strings.TrimSpace(name), Role: string(r), Unit: unit,
		PasswordHash: hash, MustChange: true}, rec)
	if err != nil {
		return "", store.User{}, err
	}
	return password, u, nil
}

// loginRecord is the audit record of a login attempt on login.
func loginRecord(actor audit.Actor, login string, u store.User, outcome, summary string, now time.Time) audit.Record {
	return audit.Record{At: now, Actor: actor, Action: "auth.login", ObjectKind: "user", ObjectID: login,
		ObjectUnit: u.Unit, Outcome: outcome, Summary: summary}
}

// Login checks a login and password as of now and, when they are right,
// starts a session. It returns the session's secret (the cookie's value,
// stored nowhere), the principal and the session.
//
// An unknown login and a wrong password are both ErrBadCredentials, and
// take the same time. A wrong password counts towards the lock; the
// failure that reaches LockAfter locks the account. A locked or disabled
// account gives ErrLocked or ErrDisabled, but only with its right
// password: otherwise it is ErrBadCredentials too, so that the state of
// an account is not shown to someone guessing. Every attempt is written to
// the audit log; actor says where it came from (IP, user agent).
func (a *Accounts) Login(ctx context.Context, login, password string, actor audit.Actor, now time.Time) (string, Principal, store.Session, error) {
	login = normalLogin(login)
	tooLong := len(password) > maxPasswordBytes
	if tooLong {
		password = password[:maxPasswordBytes]
	}
	var u store.User
	var err error
	if ValidLogin(login) {
		u, err = a.st.UserByLogin(ctx, login)
	} else {
		err = store.ErrNotFound
		// A malformed login is often a password typed in the wrong box:
		// it is not written to the audit log.
		login = ""
	}
	if errors.Is(err, store.ErrNotFound) {
		a.burn(ctx, password)
		// What was typed is not recorded: it is often a password.
		a.audit(ctx, loginRecord(actor, "", u, audit.OutcomeFailed, "unknown login", now))
		return "", Principal{}, store.Session{}, ErrBadCredentials
	}
	if err != nil {
		return "", Principal{}, store.Session{}, fmt.Errorf("auth: look up account: %w", err)
	}
	ok, err := a.checkPassword(ctx, u.PasswordHash, password)
	if err != nil {
		a.audit(ctx, loginRecord(actor, login, u, audit.OutcomeFailed, "stored password hash unreadable", now))
		return "", Principal{}, store.Session{}, fmt.Errorf("auth: check password of %q: %w", login, err)
	}
	ok = ok && !tooLong
	// The check waited for a hashing slot: read the account again, so that
	// guesses sent in a burst meet the lock the first of them set.
	if fresh, err := a.st.UserByID(ctx, u.ID); err == nil {
		u = fresh
	} else {
		return "", Principal{}, store.Session{}, fmt.Errorf("auth: look up account: %w", err)
	}
	switch {
	case u.Disabled() || u.Locked():
		state, sentinel := "locked", ErrLocked
		if u.Disabled() {
			state, sentinel = "disabled", ErrDisabled
		}
		if !ok {
			a.audit(ctx, loginRecord(actor, login, u, audit.OutcomeFailed, "wrong password, account "+state, now))
			return "", Principal{}, store.Session{}, ErrBadCredentials
		}
		a.audit(ctx, loginRecord(actor, login, u, audit.OutcomeFailed, "account "+state, now))
		return "", Principal{}, store.Session{}, sentinel
	case !ok:
		failures, lockedNow, err := a.st.RecordLoginFailure(ctx, u.ID, now, a.LockAfter)
		if err != nil {
			a.log.Error("cannot count failed login", slog.String("login", login), slog.Any("err", err))
		}
		a.audit(ctx, loginRecord(actor, login, u, audit.OutcomeFailed, fmt.Sprintf("wrong password (%d of %d)", failures, a.LockAfter), now))
		if lockedNow {
			a.lock(ctx, u, actor, failures, now)
		}
		return "", Principal{}, store.Session{}, ErrBadCredentials
	}
	p, err := principalOf(u)
	if err != nil {
		a.audit(ctx, loginRecord(actor, login, u, audit.OutcomeFailed, "account invalid", now))
		return "", Principal{}, store.Session{}, err
	}
	secret, sess, err := a.startSession(ctx, u, actor.IP, actor.UserAgent, now)
	if err != nil {
		return "", Principal{}, store.Session{}, err
	}
	if u.FailedLogins > 0 {
		if err := a.st.ResetLoginFailures(ctx, u.ID, now); err != nil {
			a.log.Warn("cannot reset failed logins", slog.String("login", login), slog.Any("err", err))
		}
	}
	// Sessions nobody came back to are cleared now and then; a login is
	// rare enough to be the moment.
	if n, err := a.PruneSessions(ctx, now); err != nil {
		a.log.Warn("cannot prune sessions", slog.Any("err", err))
	} else if n > 0 {
		a.log.Info("ended sessions pruned", slog.Int64("sessions", n))
	}
	summary := "session started"
	if u.MustChange {
		summary += "; must change password"
	}
	actor = p.Actor(actor.IP, actor.UserAgent)
	if _, err := a.appendAudit(ctx, loginRecord(actor, login, u, audit.OutcomeOK, summary, now)); err != nil {
		// A login the audit log does not hold did not happen.
		a.endSession(ctx, sess.Hash, u.ID, "audit failed")
		return "", Principal{}, store.Session{}, fmt.Errorf("auth: audit login: %w", err)
	}
	return secret, p, sess, nil
}

// ChangePassword sets a new password for the account of p, logged in with
// the session current, after checking its old password. The new password
// must pass CheckPasswordPolicy and differ from the old one (both are
// catalog.FieldErrors on "new_password"); a wrong old password is
// ErrBadCredentials and counts towards the lock like a failed login. It
// clears MustChange and ends the account's other sessions. Every attempt
// is written to the audit log (user.password).
func (a *Accounts) ChangePassword(ctx context.Context, p Principal, current store.Session, oldPassword, newPassword string, actor audit.Actor, now time.Time) error {
	if p.UserID == 0 || (current.Hash != "" && current.UserID != p.UserID) {
		return ErrNotAccount
	}
	u, err := a.st.UserByID(ctx, p.UserID)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if u.Disabled() {
		return ErrDisabled
	}
	if u.Locked() {
		return ErrLocked
	}
	rec := audit.Record{At: now, Actor: actor, Action: "user.password", ObjectKind: "user", ObjectID: u.Login, ObjectUnit: u.Unit}
	var fe catalog.FieldErrors
	if newPassword == oldPassword {
		fe.Add("new_password", "新密码不能与原密码相同 (same as the old password)")
	} else if err := CheckPasswordPolicy(u.Login, newPassword); err != nil {
		fe.Add("new_password", err.Error())
	}
	if len(fe) > 0 {
		rec.Outcome, rec.Summary = audit.OutcomeFailed, "new password refused by the policy"
		a.audit(ctx, rec)
		return fe
	}
	if len(oldPassword) > maxPasswordBytes {
		oldPassword = oldPassword[:maxPasswordBytes]
	}
	ok, err := a.checkPassword(ctx, u.PasswordHash, oldPassword)
	if err != nil {
		return fmt.Errorf("auth: check password of %q: %w", u.Login, err)
	}
	if !ok {
		failures, lockedNow, err := a.st.RecordLoginFailure(ctx, u.ID, now, a.LockAfter)
		if err != nil {
			a.log.Error("cannot count failed login", slog.String("login", u.Login), slog.Any("err", err))
		}
		rec.Outcome, rec.Summary = audit.OutcomeFailed, fmt.Sprintf("wrong old password (%d of %d)", failures, a.LockAfter)
		a.audit(ctx, rec)
		if lockedNow {
			a.lock(ctx, u, actor, failures, now)
		}
		return ErrBadCredentials
	}
	hash, err := a.hashPassword(ctx, newPassword)
	if err != nil {
		return err
	}
	if err := a.st.SetPassword(ctx, u.ID, hash, false, now); err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	ended, err := a.st.DeleteUserSessions(ctx, u.ID, current.Hash)
	if err != nil {
		// The password has changed; sessions left over still end on their
		// timeouts. Say so loudly, but the change stands.
		a.log.Error("cannot end other sessions after a password change", slog.String("login", u.Login), slog.Any("err", err))
	}
	rec.Outcome, rec.Summary = audit.OutcomeOK, fmt.Sprintf("password changed; %d other sessions ended", ended)
	if _, err := a.appendAudit(ctx, rec); err != nil {
		return fmt.Errorf("auth: audit password change: %w", err)
	}
	return nil
}

// Unlock lifts the lock of the account login and clears its failed
// logins. Only an administrator may; anyone else gets ErrNotAdmin, and the
// refusal is written to the audit log like the unlock itself (user.unlock).
// An unknown login is store.ErrNotFound.
func (a *Accounts) Unlock(ctx context.Context, admin Principal, login string, actor audit.Actor) error {
	login = normalLogin(login)
	now := time.Now()
	rec := audit.Record{At: now, Actor: actor, Action: "user.unlock", ObjectKind: "user", ObjectID: login}
	if admin.Role != RoleAdmin {
		rec.Outcome, rec.Summary = audit.OutcomeRefused, "not an administrator"
		if !ValidLogin(login) {
			rec.ObjectID = ""
		}
		a.audit(ctx, rec)
		return ErrNotAdmin
	}
	if !ValidLogin(login) {
		return fmt.Errorf("auth: unlock %q: %w", login, store.ErrNotFound)
	}
	u, err := a.st.UserByLogin(ctx, login)
	if err != nil {
		return fmt.Errorf("auth: unlock: %w", err)
	}
	rec.ObjectUnit = u.Unit
	if err := a.st.UnlockUser(ctx, u.ID, now); err != nil {
		return fmt.Errorf("auth: unlock: %w", err)
	}
	rec.Outcome = audit.OutcomeOK
	if u.Locked() {
		rec.Summary = fmt.Sprintf("unlocked (locked at %s after %d failed logins)", u.LockedAt.In(catalog.Shanghai).Format(time.DateTime), u.FailedLogins)
	} else {
		rec.Summary = fmt.Sprintf("was not locked; %d failed logins cleared", u.FailedLogins)
	}
	if _, err := a.appendAudit(ctx, rec); err != nil {
		return fmt.Errorf("auth: audit unlock: %w", err)
	}
	return nil
}

// lock records that an account has just been locked, and ends its
// sessions: a locked account is locked everywhere, not only at the door.
func (a *Accounts) lock(ctx context.Context, u store.User, actor audit.Actor, failures int, now time.Time) {
	if _, err := a.st.DeleteUserSessions(ctx, u.ID, ""); err != nil {
		a.log.Error("cannot end the sessions of a locked account", slog.String("login", u.Login), slog.Any("err", err))
	}
	a.audit(ctx, audit.Record{At: now, Actor: actor, Action: "user.lock", ObjectKind: "user", ObjectID: u.Login, ObjectUnit: u.Unit,
		Outcome: audit.OutcomeOK, Summary: fmt.Sprintf("locked after %d failed logins; sessions ended", failures)})
}
