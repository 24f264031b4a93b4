package store

import (
	"context"
	"fmt"
	"time"

	"gongkai/internal/catalog"
)

// APIToken is the record of a back-office API token. The secret itself is
// never stored; Hash is its SHA-256 in hex, the key a request is looked up
// by.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Unit       string     `json:"unit,omitempty"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Revoked reports whether the token has been revoked.
func (t APIToken) Revoked() bool { return t.RevokedAt != nil }

type tokenRecord struct {
	ID         int64   `db:"id"`
	Hash       string  `db:"token_hash"`
	Name       string  `db:"name"`
	Role       string  `db:"role"`
	Unit       *string `db:"unit"`
	CreatedAt  int64   `db:"created_at"`
	LastUsedAt *int64  `db:"last_used_at"`
	RevokedAt  *int64  `db:"revoked_at"`
}

const tokenSelect = `SELECT id, token_hash, name, role, unit, created_at, last_used_at, revoked_at FROM api_tokens`

func (r tokenRecord) token() APIToken {
	t := APIToken{ID: r.ID, Name: r.Name, Role: r.Role, Hash: r.Hash, CreatedAt: FromMillis(r.CreatedAt)}
	if r.Unit != nil {
		t.Unit = *r.Unit
	}
	if r.LastUsedAt != nil {
		at := FromMillis(*r.LastUsedAt)
		t.LastUsedAt = &at
	}
	if r.RevokedAt != nil {
		at := FromMillis(*r.RevokedAt)
		t.RevokedAt = &at
	}
	return t
}

// CreateToken stores a new token (Hash, Role, Unit, Name of tok; the rest
// is set here) and returns it with its id. A unit that does not exist is
// a catalog.FieldErrors on "unit"; a hash already present is ErrConflict.
func (s *Store) CreateToken(ctx context.Context, tok APIToken) (APIToken, error) {
	if tok.Hash == "" || tok.Role == "" {
		return APIToken{}, fmt.Errorf("store: create token: hash and role are required")
	}
	var unit any
	if tok.Unit != "" {
		unit = tok.Unit
	}
	now := nowMillis()
	err := s.inTx(ctx, func(t *Tx) error {
		if tok.Unit != "" {
			var n int
			if err := t.get(ctx, &n, `SELECT COUNT(*) FROM units WHERE code = ?`, tok.Unit); err != nil {
				return fmt.Errorf("store: token unit: %w", err)
			}
			if n == 0 {
				return catalog.FieldErrors{{Field: "unit", Reason: fmt.Sprintf("单位 %q 不存在 (unknown unit)", tok.Unit)}}
			}
		}
		err := t.get(ctx, &tok.ID, `INSERT INTO api_tokens (token_hash, name, role, unit, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			tok.Hash, tok.Name, tok.Role, unit, now)
		if err != nil {
			return fmt.Errorf("store: create token: %w", mapConflict(err))
		}
		return nil
	})
	if err != nil {
		return APIToken{}, err
	}
	tok.CreatedAt, tok.LastUsedAt, tok.RevokedAt = FromMillis(now), nil, nil
	return tok, nil
}

// TokenByHash returns the token whose secret hashes to hash, revoked or
// not (ErrNotFound when there is none).
func (s *Store) TokenByHash(ctx context.Context, hash string) (APIToken, error) {
	var r tokenRecord
	if err := s.get(ctx, &r, tokenSelect+` WHERE token_hash = ?`, hash); err != nil {
		return APIToken{}, notFound(err, "token")
	}
	return r.token(), nil
}

// Token returns one token by id.
func (s *Store) Token(ctx context.Context, id int64) (APIToken, error) {
	var r tokenRecord
	if err := s.get(ctx, &r, tokenSelect+` WHERE id = ?`, id); err != nil {
		return APIToken{}, notFound(err, fmt.Sprintf("token %d", id))
	}
	return r.token(), nil
}

// Tokens returns every token, revoked ones included, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]APIToken, error) {
	var rs []tokenRecord
	if err := s.sel(ctx, &rs, tokenSelect+` ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	out := make([]APIToken, len(rs))
	for i, r := range rs {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeToken revokes a token for good and returns it. Revoking a revoked
// token keeps its first revocation time.
func (s *Store) RevokeToken(ctx context.Context, id int64) (APIToken, error) {
	err := s.inTx(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, nowMillis(), id)
		if err != nil {
			return fmt.Errorf("store: revoke token %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: revoke token %d: %w", id, err)
		} else if n == 0 {
			return fmt.Errorf("store: token %d: %w", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return APIToken{}, err
	}
	return s.Token(ctx, id)
}

// TouchToken records that a token was used at at, unless its last use is
// less than minGap before that: the condition sits in the UPDATE so that
// replicas serving the same token write at most once per gap between
// them. It reports whether it wrote.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time, minGap time.Duration) (bool, error) {
	ms := Millis(at)
	var n int64
	err := s.inTx(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
			ms, id, ms-minGap.Milliseconds())
		if err != nil {
			return fmt.Errorf("store: touch token %d: %w", id, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}
