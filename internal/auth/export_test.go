package auth

import (
	"context"
	"slices"
	"sync"

	"gongkai/internal/audit"
)

// WatchAudit makes a keep a copy of every audit record it writes and
// returns a function listing them so far; fail, when set, makes every
// write fail with it instead.
func WatchAudit(a *Accounts, fail error) func() []audit.Record {
	var mu sync.Mutex
	var recs []audit.Record
	next := a.appendAudit
	a.appendAudit = func(ctx context.Context, r audit.Record) (audit.Record, error) {
		if fail != nil {
			return r, fail
		}
		r, err := next(ctx, r)
		if err == nil {
			mu.Lock()
			recs = append(recs, r)
			mu.Unlock()
		}
		return r, err
	}
	return func() []audit.Record {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(recs)
	}
}

// HashSession exposes the stored form of a session secret.
var HashSession = hashSession
