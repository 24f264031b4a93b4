package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		ed, err := st.CreateToken(ctx, store.APIToken{Hash: "h-editor", Role: "editor", Unit: "jtj", Name: "推送"})
		if err != nil {
			t.Fatal(err)
		}
		adm, err := st.CreateToken(ctx, store.APIToken{Hash: "h-admin", Role: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if ed.ID == 0 || adm.ID <= ed.ID || ed.CreatedAt.IsZero() || ed.LastUsedAt != nil || ed.RevokedAt != nil {
			t.Fatalf("created %+v, %+v", ed, adm)
		}

		t.Run("errors", func(t *testing.T) {
			_, err := st.CreateToken(ctx, store.APIToken{Hash: "h-x", Role: "editor", Unit: "nope"})
			if fe, ok := catalog.AsFieldErrors(err); !ok || fe[0].Field != "unit" {
				t.Errorf("unknown unit: %v", err)
			}
			if _, err := st.CreateToken(ctx, store.APIToken{Hash: "h-admin", Role: "admin"}); !errors.Is(err, store.ErrConflict) {
				t.Errorf("same hash twice: %v, want ErrConflict", err)
			}
			if _, err := st.TokenByHash(ctx, "h-none"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown hash: %v", err)
			}
			if _, err := st.RevokeToken(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoke unknown: %v", err)
			}
		})

		t.Run("lookup", func(t *testing.T) {
			got, err := st.TokenByHash(ctx, "h-editor")
			if err != nil || got.ID != ed.ID || got.Role != "editor" || got.Unit != "jtj" || got.Name != "推送" || got.Hash != "h-editor" {
				t.Errorf("TokenByHash = %+v, %v", got, err)
			}
			got, err = st.TokenByHash(ctx, "h-admin")
			if err != nil || got.Unit != "" {
				t.Errorf("admin token = %+v, %v", got, err)
			}
		})

		t.Run("touch at most once per gap", func(t *testing.T) {
			t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, catalog.Shanghai)
			steps := []struct {
				at    time.Time
				wrote bool
				last  time.Time
			}{
				{t0, true, t0},
				{t0.Add(30 * time.Second), false, t0},
				{t0.Add(time.Minute), true, t0.Add(time.Minute)},
				{t0.Add(time.Minute + time.Second), false, t0.Add(time.Minute)},
			}
			for i, s := range steps {
				wrote, err := st.TouchToken(ctx, ed.ID, s.at, time.Minute)
				got, _ := st.Token(ctx, ed.ID)
				if err != nil || wrote != s.wrote || got.LastUsedAt == nil || !got.LastUsedAt.Equal(s.last) {
					t.Errorf("step %d: wrote %v, last used %v (%v); want %v, %v", i, wrote, got.LastUsedAt, err, s.wrote, s.last)
				}
			}
		})

		t.Run("revoke", func(t *testing.T) {
			r1, err := st.RevokeToken(ctx, ed.ID)
			if err != nil || r1.RevokedAt == nil || !r1.Revoked() {
				t.Fatalf("revoke: %+v, %v", r1, err)
			}
			r2, err := st.RevokeToken(ctx, ed.ID)
			if err != nil || !r2.RevokedAt.Equal(*r1.RevokedAt) {
				t.Errorf("second revoke moved the time: %v → %v (%v)", r1.RevokedAt, r2.RevokedAt, err)
			}
			if got, _ := st.TokenByHash(ctx, "h-editor"); !got.Revoked() {
				t.Error("revoked token reads back as live")
			}
			all, err := st.Tokens(ctx)
			if err != nil || len(all) != 2 || all[0].ID != ed.ID || !all[0].Revoked() || all[1].Revoked() {
				t.Errorf("Tokens = %+v, %v", all, err)
			}
		})
	})
}
