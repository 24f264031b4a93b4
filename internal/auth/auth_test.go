package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in       string
		want     auth.Role
		needUnit bool
		bad      bool
	}{
		{"editor", auth.RoleEditor, true, false},
		{" Approver ", auth.RoleApprover, true, false},
		{"reviewer", auth.RoleReviewer, false, false},
		{"admin", auth.RoleAdmin, false, false},
		{"auditor", auth.RoleAuditor, false, false},
		{"root", "", false, true},
		{"", "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := auth.ParseRole(tc.in)
			if (err != nil) != tc.bad || r != tc.want || r.NeedsUnit() != tc.needUnit {
				t.Errorf("ParseRole(%q) = %q, %v; NeedsUnit %v", tc.in, r, err, r.NeedsUnit())
			}
		})
	}
}

func TestCanPublishDataset(t *testing.T) {
	tests := []struct {
		name string
		p    auth.Principal
		unit string
		want bool
	}{
		{"admin any unit", auth.Principal{Role: auth.RoleAdmin}, "jtj", true},
		{"editor own unit", auth.Principal{Role: auth.RoleEditor, Unit: "jtj"}, "jtj", true},
		{"editor other unit", auth.Principal{Role: auth.RoleEditor, Unit: "jtj"}, "fgw", false},
		{"approver own unit", auth.Principal{Role: auth.RoleApprover, Unit: "fgw"}, "fgw", true},
		{"approver other unit", auth.Principal{Role: auth.RoleApprover, Unit: "fgw"}, "jtj", false},
		{"editor without unit", auth.Principal{Role: auth.RoleEditor}, "", false},
		{"reviewer", auth.Principal{Role: auth.RoleReviewer}, "jtj", false},
		{"auditor", auth.Principal{Role: auth.RoleAuditor}, "jtj", false},
		{"nobody", auth.Principal{}, "jtj", false},
		{"admin, no unit named", auth.Principal{Role: auth.RoleAdmin}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := auth.CanPublishDataset(tc.p, tc.unit); got != tc.want {
				t.Errorf("CanPublishDataset(%+v, %q) = %v", tc.p, tc.unit, got)
			}
		})
	}
}

func TestTokenSecrets(t *testing.T) {
	a, ha, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, hb, _ := auth.NewSecret()
	if a == b || ha == hb {
		t.Fatal("two secrets are the same")
	}
	if !strings.HasPrefix(a, auth.TokenPrefix) || len(a) != len(auth.TokenPrefix)+43 || strings.ContainsAny(a, "+/=") {
		t.Errorf("secret %q is not gk_ + 43 base64url characters", a)
	}
	if h, err := auth.HashToken(a); err != nil || h != ha || len(h) != 64 || strings.Contains(ha, a) {
		t.Errorf("HashToken = %q, %v; want %q", h, err, ha)
	}
	for _, bad := range []string{"", "gk_", a[:len(a)-1], a + "A", "xx" + a[2:], "gk_" + strings.Repeat("!", 43)} {
		if _, err := auth.HashToken(bad); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("HashToken(%q) = %v, want ErrInvalidToken", bad, err)
		}
	}
}

func TestTokenIssueAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		for _, tc := range []struct{ name, role, unit, field string }{
			{"unknown role", "root", "", "role"},
			{"editor needs a unit", "editor", "", "unit"},
			{"admin has no unit", "admin", "jtj", "unit"},
			{"unknown unit", "approver", "nope", "unit"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := auth.IssueToken(ctx, st, tc.role, tc.unit, "")
				fe, ok := catalog.AsFieldErrors(err)
				if !ok || fe[0].Field != tc.field {
					t.Errorf("IssueToken(%s, %q) = %v, want a problem with %s", tc.role, tc.unit, err, tc.field)
				}
			})
		}

		secret, tok, err := auth.IssueToken(ctx, st, "editor", "jtj", "交通局数据推送")
		if err != nil {
			t.Fatal(err)
		}
		if tok.ID == 0 || tok.Role != "editor" || tok.Unit != "jtj" || tok.Name != "交通局数据推送" || strings.Contains(tok.Hash, secret) {
			t.Fatalf("token %+v", tok)
		}
		v := auth.NewVerifier(st, nil)
		t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, catalog.Shanghai)
		p, err := v.Verify(ctx, secret, t0)
		if err != nil || p != (auth.Principal{TokenID: tok.ID, Role: auth.RoleEditor, Unit: "jtj"}) {
			t.Fatalf("Verify = %+v, %v", p, err)
		}
		lastUsed := func() time.Time {
			got, err := st.Token(ctx, tok.ID)
			if err != nil || got.LastUsedAt == nil {
				t.Fatalf("token %+v, %v", got, err)
			}
			return *got.LastUsedAt
		}
		if !lastUsed().Equal(t0) {
			t.Errorf("last used %v, want %v", lastUsed(), t0)
		}
		// Within a minute the use is not written again; after it, it is.
		if _, err := v.Verify(ctx, secret, t0.Add(59*time.Second)); err != nil || !lastUsed().Equal(t0) {
			t.Errorf("last used %v after 59 s, want %v (%v)", lastUsed(), t0, err)
		}
		if _, err := v.Verify(ctx, secret, t0.Add(time.Minute)); err != nil || !lastUsed().Equal(t0.Add(time.Minute)) {
			t.Errorf("last used %v after a minute (%v)", lastUsed(), err)
		}

		other, _, _ := auth.NewSecret()
		for _, bad := range []string{"", "Bearer " + secret, secret + "x", other} {
			if _, err := v.Verify(ctx, bad, t0); !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("Verify(%q) = %v, want ErrInvalidToken", bad, err)
			}
		}
		if _, err := st.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, secret, t0.Add(time.Hour)); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("revoked token: %v, want ErrInvalidToken", err)
		}
	})
}
