package demo

import (
	"hash/fnv"
	"strings"
)

// creditCharset is the alphabet of the unified social credit code
// (GB 32100-2015): digits and upper-case letters without I, O, Z, S and V,
// which are too easily confused with digits.
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the position weights 3^(i) mod 31 of GB 32100.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCheckDigit returns the 18th character of a unified social credit
// code whose first 17 characters are given, or false when the input is not
// 17 characters of the code's alphabet.
func creditCheckDigit(body string) (byte, bool) {
	if len(body) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCharset, body[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditCharset[c], true
}

// validCreditCode reports whether code is 18 characters with a correct
// GB 32100 check digit.
func validCreditCode(code string) bool {
	if len(code) != 18 {
		return false
	}
	c, ok := creditCheckDigit(code[:17])
	return ok && c == code[17]
}

// orgCodeCheckDigit computes the check character of a 9-character
// organisation code (GB 11714) from its first 8 characters. Positions 9–17
// of a credit code embed such an organisation code, so a realistic credit
// code carries a valid one there too.
func orgCodeCheckDigit(body string) (byte, bool) {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	if len(body) != 8 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		ch := body[i]
		var v int
		switch {
		case ch >= '0' && ch <= '9':
			v = int(ch - '0')
		case ch >= 'A' && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			return 0, false
		}
		sum += v * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + c), true
	}
}

// unitCreditCode builds a stable, valid credit code for a unit. It depends
// only on the unit code, not on the seed, because a unit's code is a fact
// that must not change between demo runs. Registry "1" is the staffing
// authority; class "1" is a government organ and "2" a public institution.
func unitCreditCode(unitCode string, institution bool) string {
	h := fnv.New64a()
	h.Write([]byte("linyi-unit:" + unitCode))
	x := h.Sum64()
	var b strings.Builder
	b.WriteString("1")
	if institution {
		b.WriteString("2")
	} else {
		b.WriteString("1")
	}
	b.WriteString("371300") // 临沂市 administrative division
	org := make([]byte, 8)
	for i := range org {
		org[i] = byte('0' + x%10)
		x /= 10
	}
	// Organisation codes of Linyi bodies start with 00; keep that look.
	org[0], org[1] = '0', '0'
	oc, _ := orgCodeCheckDigit(string(org))
	b.Write(org)
	b.WriteByte(oc)
	c, _ := creditCheckDigit(b.String())
	b.WriteByte(c)
	return b.String()
}
