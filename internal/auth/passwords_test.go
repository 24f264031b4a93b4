package auth_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"gongkai/internal/auth"
)

func TestHashPassword(t *testing.T) {
	h, err := auth.HashPassword("Correct-Horse-42")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(h, "$") != 5 {
		t.Fatalf("hash %q is not the PHC string of the OWASP parameters", h)
	}
	h2, _ := auth.HashPassword("Correct-Horse-42")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name     string
		hash, pw string
		ok       bool
		bad      bool
	}{
		{"right", h, "Correct-Horse-42", true, false},
		{"right, other salt", h2, "Correct-Horse-42", true, false},
		{"wrong", h, "correct-horse-42", false, false},
		{"empty", h, "", false, false},
		{"not a hash", "plain", "plain", false, true},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "x", false, true},
		{"argon2i", strings.Replace(h, "argon2id", "argon2i", 1), "Correct-Horse-42", false, true},
		{"old version", strings.Replace(h, "v=19", "v=16", 1), "Correct-Horse-42", false, true},
		{"huge memory", strings.Replace(h, "m=19456", "m=4194304", 1), "Correct-Horse-42", false, true},
		{"no time", strings.Replace(h, "t=2", "t=0", 1), "Correct-Horse-42", false, true},
		{"missing parameter", strings.Replace(h, ",p=1", "", 1), "Correct-Horse-42", false, true},
		{"bad salt", strings.Replace(h, "$argon2id$v=19$m=19456,t=2,p=1$", "$argon2id$v=19$m=19456,t=2,p=1$!!", 1), "Correct-Horse-42", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := auth.CheckPassword(tc.hash, tc.pw)
			if ok != tc.ok || (err != nil) != tc.bad {
				t.Errorf("CheckPassword = %v, %v; want %v, error %v", ok, err, tc.ok, tc.bad)
			}
		})
	}
}

// The parameters are read from the string: hashes made with others (older
// or stronger settings, another key length) still check.
func TestCheckPasswordReadsParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	tests := []struct {
		mem, time uint32
		threads   uint8
		keyLen    uint32
	}{
		{64, 1, 1, 16},
		{19456, 2, 1, 32},
		{47104, 1, 2, 32},
		{12288, 3, 4, 64},
	}
	for _, tc := range tests {
		key := argon2.IDKey([]byte("Another-Pass-9"), salt, tc.time, tc.mem, tc.threads, tc.keyLen)
		enc := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", tc.mem, tc.time, tc.threads,
			base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
		t.Run(enc[:32], func(t *testing.T) {
			if ok, err := auth.CheckPassword(enc, "Another-Pass-9"); !ok || err != nil {
				t.Errorf("right password: %v, %v", ok, err)
			}
			if ok, err := auth.CheckPassword(enc, "Another-Pass-8"); ok || err != nil {
				t.Errorf("wrong password: %v, %v", ok, err)
			}
		})
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		login, pw string
		ok        bool
		reason    string // part of the message when refused
	}{
		{"zhang.wei", "Abcdef12!x", true, ""},
		{"zhang.wei", "abcdef12!x", true, ""},          // lower, digit, symbol
		{"zhang.wei", "abcdefgh12", false, "至少三种"},     // two kinds, 10 characters
		{"zhang.wei", "abcdefghijkl34", true, ""},      // two kinds, 14 characters
		{"zhang.wei", "abcdefghijklmn", false, "至少三种"}, // one kind, 14 characters
		{"zhang.wei", "Ab1!", false, "至少需要 10"},        // short
		{"zhang.wei", "临沂市政务公开目录2026年", true, ""},      // two kinds (other, digits), 14 characters
		{"zhang.wei", "政务公开目录2026年", false, "至少三种"},    // two kinds, 11 characters
		{"zhang.wei", "Zhang.Wei-2026", false, "登录名"},  // contains the login, any case
		{"li", "li-Hua-2026x", true, ""},               // two-letter logins are not searched for
		{"zhang.wei", "Password123", false, "常见"},      // common
		{"zhang.wei", "1qaz@WSX3edc", false, "常见"},     // keyboard walk, common
		{"zhang.wei", "Huawei@1234", false, "常见"},      // common in China
		{"zhang.wei", strings.Repeat("Ab1", 43), false, "不能超过"},
		{"zhang.wei", "Abcdef12!\x00", false, "控制字符"},
		{"zhang.wei", "Abcdef12!\xff", false, "无效"},
	}
	for _, tc := range tests {
		t.Run(tc.pw, func(t *testing.T) {
			err := auth.CheckPasswordPolicy(tc.login, tc.pw)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckPasswordPolicy(%q, %q) = %v, want ok %v", tc.login, tc.pw, err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("message %q lacks %q", err, tc.reason)
			}
		})
	}
}

func TestNewOneTimePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 500; i++ {
		pw := auth.NewOneTimePassword()
		if len(pw) != 16 || strings.ContainsAny(pw, "0Oo1lIi") {
			t.Fatalf("%q: want 16 unambiguous characters", pw)
		}
		if err := auth.CheckPasswordPolicy("", pw); err != nil {
			t.Fatalf("%q fails the policy: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("%q made twice", pw)
		}
		seen[pw] = true
	}
}
