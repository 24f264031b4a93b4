package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters of new hashes: OWASP's minimum (19 MiB of
// memory, two passes, one lane), about 50 ms on one core of our servers.
// Hashes carry their parameters, so raising these later keeps old
// passwords working.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// The policy's lengths, in characters.
const (
	MinPasswordLen  = 10  // with three kinds of character
	LongPasswordLen = 14  // with two kinds
	MaxPasswordLen  = 128 // beyond this a password is a paste accident, not a memory
)

// maxPasswordBytes bounds what is hashed when someone logs in, so that a
// megabyte of "password" costs us no more than a real one.
const maxPasswordBytes = 1024

// ErrBadHash means a stored password hash is not a PHC argon2id string we
// can check.
var ErrBadHash = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding // PHC strings use unpadded standard base64

// HashPassword returns the argon2id hash of password as a PHC string,
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH, with a fresh random salt.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// argonHash is a parsed PHC argon2id string.
type argonHash struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// parseHash reads a PHC argon2id string. Its parameters are bounded, so
// that a damaged or planted row cannot make one check take gigabytes.
func parseHash(encoded string) (argonHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return argonHash{}, ErrBadHash
	}
	var h argonHash
	seen := 0
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return argonHash{}, ErrBadHash
		}
		switch k {
		case "m":
			h.memory, seen = uint32(n), seen|1
		case "t":
			h.time, seen = uint32(n), seen|2
		case "p":
			if n > 255 {
				return argonHash{}, ErrBadHash
			}
			h.threads, seen = uint8(n), seen|4
		default:
			return argonHash{}, ErrBadHash
		}
	}
	if seen != 7 || h.time < 1 || h.time > 64 || h.threads < 1 || h.threads > 64 ||
		h.memory < 8*uint32(h.threads) || h.memory > 1<<20 {
		return argonHash{}, ErrBadHash
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return argonHash{}, ErrBadHash
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 128 {
		return argonHash{}, ErrBadHash
	}
	return h, nil
}

// CheckPassword reports whether password matches the PHC argon2id hash
// encoded, with the parameters the hash names. The comparison takes the
// same time wherever the keys differ. A hash it cannot read is ErrBadHash.
func CheckPassword(encoded, password string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// commonPasswords are passwords long and mixed enough for the rest of the
// policy that are still among the first tried by anyone guessing: the
// usual English ones and those common on Chinese sites (woaini, 1314,
// keyboard walks, company names with @123). Compared in lower case.
var commonPasswords = []string{
	"password123", "password1234", "password123!", "p@ssw0rd123", "p@ssword123", "passw0rd123",
	"p@ssw0rd1234", "qwerty12345", "qwerty123456", "qwer1234!@#$", "qwe123456789", "1qaz2wsx3edc",
	"1qaz@wsx3edc", "1qaz!qaz2wsx", "1q2w3e4r5t6y", "zaq12wsxcde3", "asdf1234!@#$", "zxcv1234!@#$",
	"abc123456789", "abcd12345678", "abc@1234567", "aa123456789", "aa1234567890", "admin@123456",
	"admin123456", "admin@12345", "administrator", "huawei@1234", "huawei12345", "welcome@123",
	"welcome12345", "woaini1314520", "woaini13145", "woaini520123", "iloveyou1314", "iloveyou123",
	"changeme1234", "letmein12345", "gongkai12345", "gongkai@123", "linyi@123456", "123456789abc",
	"1234567890abc", "1234567890qwe", "12345678910", "a1234567890", "abc123abc123", "root@123456",
	"test@1234567", "super@123456", "zhang@123456", "wang@1234567", "li@123456789",
}

// CheckPasswordPolicy checks a new password for the account login. The
// error, if any, says in Chinese what to change.
//
// A password has at least MinPasswordLen characters and three of the four
// kinds (lower case, upper case, digits, other characters), or at least
// LongPasswordLen characters and two kinds: long phrases are as strong as
// short jumbles and easier to remember. It may not contain the login (from
// three characters on; shorter logins occur in any text), nor be one of
// the commonest passwords.
func CheckPasswordPolicy(login, pw string) error {
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) {
		return errors.New("密码包含无效字符 (invalid UTF-8)")
	}
	if n < MinPasswordLen {
		return fmt.Errorf("密码至少需要 %d 个字符 (too short)", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return fmt.Errorf("密码不能超过 %d 个字符 (too long)", MaxPasswordLen)
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsControl(r):
			return errors.New("密码不能包含控制字符 (control character)")
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	kinds := 0
	for _, k := range []bool{lower, upper, digit, other} {
		if k {
			kinds++
		}
	}
	if kinds < 3 && !(kinds >= 2 && n >= LongPasswordLen) {
		return fmt.Errorf("密码需包含小写字母、大写字母、数字、其他符号中的至少三种；或至少 %d 个字符并包含其中两种 (too simple)", LongPasswordLen)
	}
	lpw := strings.ToLower(pw)
	if l := strings.ToLower(strings.TrimSpace(login)); utf8.RuneCountInString(l) >= 3 && strings.Contains(lpw, l) {
		return errors.New("密码不能包含登录名 (contains the login)")
	}
	for _, c := range commonPasswords {
		if lpw == c {
			return errors.New("密码过于常见，容易被猜中，请换一个 (too common)")
		}
	}
	return nil
}

// The one-time password alphabet leaves out characters that are easily
// misread or mistyped from a printout: 0 O o, 1 l I i.
const (
	otpLower  = "abcdefghjkmnpqrstuvwxyz"
	otpUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	otpDigits = "23456789"
	otpAlpha  = otpLower + otpUpper + otpDigits
	otpLen    = 16 // ≈ 92 bits
)

// NewOneTimePassword returns a random password of 16 characters to hand to
// a new account holder, who must change it at the first login. It has
// lower case, upper case and digits, so it passes the policy for any login
// it does not happen to contain (AddUser makes another when it does).
func NewOneTimePassword() string {
	const limit = 256 - 256%len(otpAlpha) // reject bytes that would favour the first characters
	for {
		out := make([]byte, 0, otpLen)
		var buf [32]byte
		for len(out) < otpLen {
			_, _ = rand.Read(buf[:]) // never fails: crypto/rand crashes the program instead
			for _, b := range buf {
				if int(b) < limit && len(out) < otpLen {
					out = append(out, otpAlpha[int(b)%len(otpAlpha)])
				}
			}
		}
		pw := string(out)
		if strings.ContainsAny(pw, otpLower) && strings.ContainsAny(pw, otpUpper) && strings.ContainsAny(pw, otpDigits) &&
			CheckPasswordPolicy("", pw) == nil {
			return pw
		}
	}
}
