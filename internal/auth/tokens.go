package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// TokenPrefix starts every API token, so that a leaked one is easy to
// recognise (and to search for in logs and repositories).
const TokenPrefix = "gk_"

// tokenBytes is the secret's entropy; its base64url text is 43 characters.
const tokenBytes = 32

// TouchEvery is how often a token's last use is written at most: often
// enough to see which tokens are alive, rarely enough not to turn every
// request into a write.
const TouchEvery = time.Minute

// ErrInvalidToken means a request's token is missing, malformed, unknown
// or revoked. Callers answer all of these the same way, so that nobody
// learns which tokens once existed.
var ErrInvalidToken = errors.New("auth: invalid token")

// NewSecret makes a new token secret and the hash to store for it.
func NewSecret() (secret, hash string, err error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("auth: random token: %w", err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, hashSecret(secret), nil
}

// HashToken returns the stored form of a token a caller presented, or
// ErrInvalidToken when it cannot be one of ours.
func HashToken(secret string) (string, error) {
	body, ok := strings.CutPrefix(secret, TokenPrefix)
	if !ok || base64.RawURLEncoding.DecodedLen(len(body)) != tokenBytes {
		return "", ErrInvalidToken
	}
	if b, err := base64.RawURLEncoding.DecodeString(body); err != nil || len(b) != tokenBytes {
		return "", ErrInvalidToken
	}
	return hashSecret(secret), nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// TokenStore is what tokens need from the store.
type TokenStore interface {
	CreateToken(ctx context.Context, tok store.APIToken) (store.APIToken, error)
	TokenByHash(ctx context.Context, hash string) (store.APIToken, error)
	TouchToken(ctx context.Context, id int64, at time.Time, minGap time.Duration) (bool, error)
}

// IssueToken checks a role and unit, makes a token for them and stores it.
// It returns the secret, which exists nowhere else: show it once. Problems
// with the role or unit are catalog.FieldErrors.
func IssueToken(ctx context.Context, ts TokenStore, role, unit, name string) (string, store.APIToken, error) {
	var fe catalog.FieldErrors
	r, unit := roleAndUnit(&fe, role, unit)
	if len(fe) > 0 {
		return "", store.APIToken{}, fe
	}
	secret, hash, err := NewSecret()
	if err != nil {
		return "", store.APIToken{}, err
	}
	tok, err := ts.CreateToken(ctx, store.APIToken{Hash: hash, Role: string(r), Unit: unit, Name: strings.TrimSpace(name)})
	if err != nil {
		return "", store.APIToken{}, err
	}
	return secret, tok, nil
}

// Verifier resolves the tokens requests present.
type Verifier struct {
	tokens TokenStore
	log    *slog.Logger
}

// NewVerifier returns a verifier over ts; log receives failures to record
// a token's use, which do not fail the request.
func NewVerifier(ts TokenStore, log *slog.Logger) *Verifier {
	if log == nil {
		log = slog.Default()
	}
	return &Verifier{tokens: ts, log: log}
}

// touchTimeout bounds the write of a token's last use: on SQLite it waits
// for the one writer, which a long import may hold, and the request should
// not wait with it.
const touchTimeout = 2 * time.Second

// Verify returns the principal of a presented token: ErrInvalidToken when
// it is malformed, unknown or revoked, another error when the store fails.
// It records the token's use at most once per TouchEvery.
func (v *Verifier) Verify(ctx context.Context, secret string, now time.Time) (Principal, error) {
	hash, err := HashToken(secret)
	if err != nil {
		return Principal{}, err
	}
	tok, err := v.tokens.TokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrInvalidToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: look up token: %w", err)
	}
	// The lookup already matched the hash; comparing again in constant time
	// costs nothing and does not depend on how the database compares.
	if subtle.ConstantTimeCompare([]byte(tok.Hash), []byte(hash)) != 1 || tok.Revoked() {
		return Principal{}, ErrInvalidToken
	}
	role, err := ParseRole(tok.Role)
	if err != nil || role.NeedsUnit() != (tok.Unit != "") {
		return Principal{}, ErrInvalidToken
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= TouchEvery {
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), touchTimeout)
		if _, err := v.tokens.TouchToken(tctx, tok.ID, now, TouchEvery); err != nil {
			v.log.Warn("cannot record token use", slog.Int64("token_id", tok.ID), slog.Any("err", err))
		}
		cancel()
	}
	return Principal{TokenID: tok.ID, Role: role, Unit: tok.Unit}, nil
}
