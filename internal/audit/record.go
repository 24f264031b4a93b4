package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Outcomes of an audited action.
const (
	OutcomeOK      = "ok"      // the action was carried out
	OutcomeRefused = "refused" // the caller was not allowed to do it
	OutcomeFailed  = "failed"  // allowed, but it failed (e.g. a wrong password)
)

// Actor is who acted and from where.
type Actor struct {
	UserID    int64  `json:"user_id,omitempty"`
	Login     string `json:"login,omitempty"`
	TokenID   int64  `json:"token_id,omitempty"`
	Role      string `json:"role,omitempty"`
	Unit      string `json:"unit,omitempty"`
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// Name is how the actor is shown and recorded in an entry's revisions:
// the login, "token:N" for an API token, or "system".
func (a Actor) Name() string {
	switch {
	case a.Login != "":
		return a.Login
	case a.TokenID != 0:
		return "token:" + strconv.FormatInt(a.TokenID, 10)
	}
	return "system"
}

// Record is one row of the audit log. Seq, PrevHash and Hash are set by the
// store when it appends the record.
type Record struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      Actor     `json:"actor"`
	Action     string    `json:"action"`      // e.g. entry.submit, user.lock, auth.refused
	ObjectKind string    `json:"object_kind"` // entry, column, unit, user, setting, dataset, filing, session
	ObjectID   string    `json:"object_id"`
	ObjectUnit string    `json:"object_unit"` // the unit the object belongs to, if any
	Outcome    string    `json:"outcome"`
	// Summary says what changed: a short note, or a JSON {"before","after"}.
	Summary  string `json:"summary"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Change is a before/after summary of an edit, encoded as the Summary.
func Change(before, after any) string {
	b, err := json.Marshal(struct {
		Before any `json:"before,omitempty"`
		After  any `json:"after,omitempty"`
	}{before, after})
	if err != nil {
		return ""
	}
	return string(b)
}

// ComputeHash returns the hash that chains r to the record before it: the
// SHA-256 of the previous hash and every field of r but its own hash, each
// written as a length-prefixed field so that no two records encode alike.
// Instants count in Unix milliseconds, as the store keeps them.
func ComputeHash(r Record) string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte(';')
	}
	num := func(n int64) { field(strconv.FormatInt(n, 10)) }
	field("gongkai-audit-v1")
	field(r.PrevHash)
	num(r.Seq)
	num(r.At.UnixMilli())
	num(r.Actor.UserID)
	field(r.Actor.Login)
	num(r.Actor.TokenID)
	field(r.Actor.Role)
	field(r.Actor.Unit)
	field(r.Actor.IP)
	field(r.Actor.UserAgent)
	field(r.Action)
	field(r.ObjectKind)
	field(r.ObjectID)
	field(r.ObjectUnit)
	field(r.Outcome)
	field(r.Summary)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
