package demo

import "testing"

func TestCreditCheckDigit(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"91350100M000100Y43", true},
		{"91350100M000100Y44", false},
		{"11371300002742622Y", true},
		{"12371300MB4759989L", true},
		{"1137130000317601XA", true},
		{"113713000068174923", true},
		{"11371300002742622X", false},
		{"9135010OM000100Y43", false}, // O is not in the alphabet
		{"91350100M000100Y4", false},  // too short
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := validCreditCode(tt.code); got != tt.want {
				t.Errorf("validCreditCode(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

func TestOrgCodeCheckDigit(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"00274262", '2'}, // embedded in 11371300002742622Y
		{"00317601", 'X'}, // embedded in 1137130000317601XA
		{"00681749", '2'}, // embedded in 113713000068174923
		{"M000100Y", '4'}, // embedded in 91350100M000100Y43
	}
	for _, tt := range tests {
		got, ok := orgCodeCheckDigit(tt.body)
		if !ok || got != tt.want {
			t.Errorf("orgCodeCheckDigit(%q) = %q, %v; want %q", tt.body, got, ok, tt.want)
		}
	}
}

func TestUnitCreditCodesValid(t *testing.T) {
	seen := map[string]string{}
	for _, u := range units {
		code := unitCreditCode(u.Code, u.Kind == "其他")
		if !validCreditCode(code) {
			t.Errorf("%s: invalid credit code %s", u.Code, code)
		}
		oc, _ := orgCodeCheckDigit(code[8:16])
		if oc != code[16] {
			t.Errorf("%s: embedded organisation code of %s has a wrong check digit", u.Code, code)
		}
		if other, dup := seen[code]; dup {
			t.Errorf("%s and %s share credit code %s", u.Code, other, code)
		}
		seen[code] = u.Code
	}
}
