package checks

import (
	"strings"
	"unicode/utf8"
)

// Personal information in a text: ID numbers, mobile numbers and bank card
// numbers. All three rules start from the same observation: a number is a
// person's only when it stands on its own. So a text is first cut into
// maximal runs of Latin letters and digits (ASCII or full-width); a run is
// a candidate only as a whole, never a piece of a longer run (an order
// number, a credit code, a figure), and the characters around it — a
// decimal point, a hyphen joining it to more digits, a unit, the label
// in front of it — decide whether it is a number about a person or
// something else.

// piiRun is a maximal run of Latin letters and digits.
type piiRun struct {
	start, end int    // bytes in the text
	norm       string // the run in ASCII (full-width forms folded)
	digits     bool   // only digits
}

// piiAlnum reads the Latin letter or digit at text[i], folding full-width
// forms to ASCII (letters upper-cased); size is 0 when there is none.
func piiAlnum(text string, i int) (c byte, size int) {
	b := text[i]
	switch {
	case b >= '0' && b <= '9':
		return b, 1
	case b >= 'A' && b <= 'Z':
		return b, 1
	case b >= 'a' && b <= 'z':
		return b - 'a' + 'A', 1
	case b == 0xEF && i+2 < len(text):
		b1, b2 := text[i+1], text[i+2]
		switch {
		case b1 == 0xBC && b2 >= 0x90 && b2 <= 0x99: // ０–９
			return '0' + (b2 - 0x90), 3
		case b1 == 0xBC && b2 >= 0xA1 && b2 <= 0xBA: // Ａ–Ｚ
			return 'A' + (b2 - 0xA1), 3
		case b1 == 0xBD && b2 >= 0x81 && b2 <= 0x9A: // ａ–ｚ
			return 'A' + (b2 - 0x81), 3
		}
	}
	return 0, 0
}

// piiScan cuts text into its runs of letters and digits.
func piiScan(text string) []piiRun {
	var runs []piiRun
	for i := 0; i < len(text); {
		if _, size := piiAlnum(text, i); size == 0 {
			i++
			continue
		}
		start, digits, ascii := i, true, true
		for i < len(text) {
			c, size := piiAlnum(text, i)
			if size == 0 {
				break
			}
			if c < '0' || c > '9' {
				digits = false
			}
			if size > 1 || text[i] != c {
				ascii = false
			}
			i += size
		}
		r := piiRun{start: start, end: i, digits: digits}
		if ascii {
			r.norm = text[start:i]
		} else {
			b := make([]byte, 0, i-start)
			for j := start; j < i; {
				c, size := piiAlnum(text, j)
				b = append(b, c)
				j += size
			}
			r.norm = string(b)
		}
		runs = append(runs, r)
	}
	return runs
}

// offset is the byte offset in text of the k-th character of run r.
func (r piiRun) offset(text string, k int) int {
	if r.end-r.start == len(r.norm) {
		return r.start + k
	}
	i := r.start
	for ; k > 0; k-- {
		_, size := piiAlnum(text, i)
		i += size
	}
	return i
}

func piiRuneBefore(text string, i int) rune {
	if i <= 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r
}

func piiRuneAfter(text string, i int) rune {
	if i >= len(text) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return r
}

func piiIsDigitAt(text string, i int) bool {
	if i < 0 || i >= len(text) {
		return false
	}
	c, size := piiAlnum(text, i)
	return size > 0 && c >= '0' && c <= '9'
}

// piiJoiner is a character that makes one number of the digits on both
// sides: a decimal point, a hyphen, an underscore. (A slash or a comma
// more often separates two numbers: 0539-8123456/13805391234.)
func piiJoiner(r rune) bool {
	switch r {
	case '.', '-', '_', '．', '－':
		return true
	}
	return false
}

// piiJoinedBefore reports whether the digits starting at text[i] continue
// a number on their left (2024-13805391234, 0.13805391234).
func piiJoinedBefore(text string, i int) bool {
	r := piiRuneBefore(text, i)
	if !piiJoiner(r) {
		return false
	}
	return piiDigitEndsAt(text, i-utf8.RuneLen(r))
}

// piiDigitEndsAt reports whether the character ending at text[j] is a digit.
func piiDigitEndsAt(text string, j int) bool {
	if j <= 0 {
		return false
	}
	_, size := utf8.DecodeLastRuneInString(text[:j])
	return piiIsDigitAt(text, j-size)
}

// piiJoinedAfter reports whether the digits ending at text[i] go on as a
// number on their right (13805391234.56, 6222…-01).
func piiJoinedAfter(text string, i int) bool {
	r := piiRuneAfter(text, i)
	if r == ',' {
		// Thousands: exactly three digits follow.
		n, j := 0, i+1
		for piiIsDigitAt(text, j) {
			_, size := piiAlnum(text, j)
			j += size
			n++
		}
		return n == 3
	}
	if !piiJoiner(r) {
		return false
	}
	return piiIsDigitAt(text, i+utf8.RuneLen(r))
}

// piiUnits are what follows a figure, not a number about a person.
var piiUnits = [...]string{
	"元", "万", "亿", "千", "百", "美元", "港元", "欧元", "吨", "千克", "公斤", "克",
	"米", "公里", "千米", "平方", "立方", "亩", "公顷", "人次", "户", "个", "件", "辆",
	"台", "套", "股", "份", "册", "头", "只", "千瓦", "瓦", "度", "升", "毫升", "字节",
	"%", "％", "‰", "kWh", "KWh", "kwh", "MB", "GB", "TB",
}

// piiUnitAfter reports whether a unit of measure follows text[i:] (after
// blanks): 15000000000元 is a figure.
func piiUnitAfter(text string, i int) bool {
	rest := strings.TrimLeft(text[i:], " \t\u3000\u00a0")
	for _, u := range piiUnits {
		if strings.HasPrefix(rest, u) {
			return true
		}
	}
	return false
}

// piiNumberLabels are labels of numbers that are not about a person; a
// number right after one of them (at most a colon, "为", "No." between) is
// that number, whatever it looks like.
var piiNumberLabels = [...]string{
	"单号", "编号", "流水号", "交易号", "发票号码", "发票号", "票号", "代码", "合同号",
	"批次号", "批号", "条码", "条形码", "序列号", "序号", "申请号", "准考证号", "考号",
	"登记号", "登记证号", "执照号", "注册号", "档案号", "税号", "识别号", "邮编", "邮政编码", "工号", "学号",
	"IMEI", "imei", "串号", "许可证号", "证书号", "车架号", "发动机号", "型号", "文号",
	"案号", "项目号", "标段号", "宗地号", "不动产单元号", "房号", "凭证号", "批准号",
}

// piiCreditCodeLabels name the unified social credit code, which has the
// length of an ID number and, for some kinds of organisation, its shape.
var piiCreditCodeLabels = [...]string{"信用代码", "统一代码", "机构代码", "社会信用码"}

// piiLabelBefore returns the few characters before text[i], without the
// colons, blanks and connecting words that sit between a label and its
// value.
func piiLabelBefore(text string, i int) string {
	s := piiRunesBefore(text, i, 16)
	for {
		t := strings.TrimRight(s, " \t\u3000\u00a0:：#＃.。为是（(")
		t = strings.TrimSuffix(t, "No")
		t = strings.TrimSuffix(t, "NO")
		t = strings.TrimSuffix(t, "no")
		if t == s {
			return s
		}
		s = t
	}
}

func piiLabelIs(text string, i int, labels []string) bool {
	l := piiLabelBefore(text, i)
	for _, w := range labels {
		if strings.HasSuffix(l, w) {
			return true
		}
	}
	return false
}

// piiRunesBefore returns up to n characters of text before byte i.
func piiRunesBefore(text string, i, n int) string {
	j := i
	for ; n > 0 && j > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:j])
		j -= size
	}
	return text[j:i]
}

// ---- ID numbers (GB 11643) ----

// IDRule finds citizen ID numbers (公民身份号码): 18 characters whose
// region code, birth date and check digit are all right, and the old
// 15-digit numbers (region code and a 19YYMMDD birth date). Already-masked
// numbers have no full run of digits and are not found.
type IDRule struct {
	keep MaskKeep
}

// NewIDRule returns the pii_id rule, suggesting the default masking.
func NewIDRule() *IDRule { return &IDRule{keep: DefaultIDKeep()} }

// WithKeep returns the rule suggesting masks that keep k (the unit's
// setting).
func (r *IDRule) WithKeep(k MaskKeep) *IDRule { return &IDRule{keep: k} }

// ID implements TextRule.
func (*IDRule) ID() string { return "pii_id" }

// Check implements TextRule.
func (r *IDRule) Check(text string) []Match {
	var out []Match
	runs := piiScan(text)
	for i := 0; i < len(runs); i++ {
		ru := runs[i]
		start, end, num := ru.start, ru.end, ru.norm
		if len(num) == 6 && ru.digits && i+2 < len(runs) {
			// 371302 19870916 6578: written as region, birth date and the
			// rest, each group on its own.
			b, c := runs[i+1], runs[i+2]
			if len(b.norm) == 8 && b.digits && len(c.norm) == 4 && idGroupSep(text[ru.end:b.start]) &&
				idGroupSep(text[b.end:c.start]) && !bankGroupJoinedBefore(text, ru.start) && !phoneGroupJoinedAfter(text, c.end) &&
				idNumberValid(num+b.norm+c.norm) {
				out = append(out, r.match(text, ru.start, c.end))
				i += 2
				continue
			}
		}
		if len(num) == 19 && (num[0] == 'G' || num[0] == 'g') && idNumberValid(num[1:]) {
			// A student's register number (全国学籍号) is G and the ID number.
			start, num = ru.offset(text, 1), num[1:]
		}
		if !idNumberValid(num) {
			continue
		}
		if len(num) == 18 {
			// A credit code of the kinds starting 11–13 or 51–53 can
			// pass for an ID number only by a rare accident; its label
			// says which it is.
			if piiLabelIs(text, start, piiCreditCodeLabels[:]) {
				continue
			}
		} else {
			// Fifteen digits with no check digit: old tax and business
			// registration numbers start with a region code too.
			if piiJoinedBefore(text, start) || piiJoinedAfter(text, end) ||
				piiUnitAfter(text, end) || piiLabelIs(text, start, piiNumberLabels[:]) {
				continue
			}
		}
		out = append(out, r.match(text, start, end))
	}
	return out
}

func (r *IDRule) match(text string, start, end int) Match {
	return Match{Start: start, End: end, Severity: Blocking,
		Message:    "疑似公民身份号码，公开前须去标识化处理（隐去中间部分）",
		Suggestion: r.keep.Mask(text[start:end])}
}

func idGroupSep(s string) bool { return s == " " || s == "\u00a0" || s == "\u3000" }

// idWeights are the GB 11643 weights of the first 17 digits (2^(17-i) mod 11).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChar returns the GB 11643 check character of the first 17 digits
// of an ID number.
func idCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// idNumberValid reports whether s (ASCII) is an 18-character ID number
// with a real region code, birth date and check digit, or a 15-digit old
// one with a real region code and birth date.
func idNumberValid(s string) bool {
	switch len(s) {
	case 18:
		if !piiAllDigits(s[:17]) {
			return false
		}
		last := s[17]
		if last == 'x' {
			last = 'X'
		}
		if !(last >= '0' && last <= '9' || last == 'X') {
			return false
		}
		return idRegion(s[:6]) && idDate(piiAtoi(s[6:10]), piiAtoi(s[10:12]), piiAtoi(s[12:14])) &&
			idCheckChar(s) == last
	case 15:
		return piiAllDigits(s) && idRegion(s[:6]) && idDate(1900+piiAtoi(s[6:8]), piiAtoi(s[8:10]), piiAtoi(s[10:12]))
	}
	return false
}

// idRegion reports whether a region code is plausible: a real province
// code, then a prefecture 01–70 or 90 (directly administered counties) and
// any county. Hong Kong, Macao and Taiwan residents' numbers (81, 82, 71,
// and 83 on Taiwan residents' residence permits) use 0000 after it.
func idRegion(s string) bool {
	p, city := piiAtoi(s[:2]), piiAtoi(s[2:4])
	switch {
	case p >= 11 && p <= 15, p >= 21 && p <= 23, p >= 31 && p <= 37, p >= 41 && p <= 46,
		p >= 50 && p <= 54, p >= 61 && p <= 65:
		return city >= 1 && city <= 70 || city == 90
	case p == 71, p == 81, p == 82, p == 83:
		return true
	}
	return false
}

// idDate reports whether y-m-d is a calendar date between 1900 and 2099.
func idDate(y, m, d int) bool {
	if y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

func piiAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// piiAtoi reads a short run of ASCII digits (already checked).
func piiAtoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// ---- Mobile numbers ----

// PhoneRule finds mainland mobile numbers: 1[3-9] and nine digits, written
// whole or as 3-4-4 with spaces or hyphens, with or without +86 / 0086.
// Landlines, hotlines and service numbers have other shapes; eleven digits
// inside a longer number, a figure with a decimal part or a unit, or a
// number labelled as an order, invoice or serial number are not found.
type PhoneRule struct{}

// NewPhoneRule returns the pii_phone rule.
func NewPhoneRule() *PhoneRule { return &PhoneRule{} }

// ID implements TextRule.
func (*PhoneRule) ID() string { return "pii_phone" }

// Check implements TextRule.
func (*PhoneRule) Check(text string) []Match {
	runs := piiScan(text)
	var out []Match
	add := func(start, end int, national string, prefixed bool) {
		if !MobileNumber(national) {
			return
		}
		if !prefixed && (piiJoinedBefore(text, start) || piiLabelIs(text, start, piiNumberLabels[:])) {
			return
		}
		if piiJoinedAfter(text, end) || piiUnitAfter(text, end) {
			return
		}
		out = append(out, Match{Start: start, End: end, Severity: Blocking,
			Message:    "疑似个人手机号码，公开前须隐去中间四位",
			Suggestion: MaskPhone(text[start:end])})
	}
	for i := 0; i < len(runs); i++ {
		r := runs[i]
		if !r.digits {
			// TEL13805391234: a label glued to the number.
			if k := phoneLabelPrefix(r.norm); k > 0 && len(r.norm)-k == 11 {
				add(r.offset(text, k), r.end, r.norm[k:], true)
			}
			continue
		}
		switch n := len(r.norm); {
		case n == 11:
			add(r.start, r.end, r.norm, phonePrefixBefore(text, runs, i))
		case n == 13 && strings.HasPrefix(r.norm, "86") && phonePlusBefore(text, r.start):
			add(r.offset(text, 2), r.end, r.norm[2:], true)
		case n == 15 && strings.HasPrefix(r.norm, "0086"):
			add(r.offset(text, 4), r.end, r.norm[4:], true)
		case n == 3 && i+2 < len(runs):
			// 138 0539 1234, 138-0539-1234: exactly three groups, not
			// the middle of a longer grouped number.
			b, c := runs[i+1], runs[i+2]
			if !b.digits || !c.digits || len(b.norm) != 4 || len(c.norm) != 4 ||
				!phoneGroupSep(text[r.end:b.start]) || !phoneGroupSep(text[b.end:c.start]) {
				continue
			}
			if phoneGroupJoinedAfter(text, c.end) {
				continue
			}
			prefixed := phonePrefixBefore(text, runs, i)
			if !prefixed && phoneGroupJoinedBefore(text, r.start) {
				continue
			}
			add(r.start, c.end, r.norm+b.norm+c.norm, prefixed)
			i += 2
		}
	}
	return out
}

// MobileNumber reports whether eleven digits make a mobile number. Eight
// zeros at the end make a round figure (15000000000 is 150 亿), not a
// number anyone is given.
func MobileNumber(s string) bool { return MobileShaped(s) && s[3:] != "00000000" }

// MobileShaped reports whether eleven digits have a mobile number's shape
// (1, then 3–9), round figures included: for a filter that would rather
// drop a figure than keep a number.
func MobileShaped(s string) bool {
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && piiAllDigits(s)
}

// phoneLabelPrefix returns the length of a telephone label (Tel, Mobile…)
// at the head of a run of letters and digits, or 0.
func phoneLabelPrefix(run string) int {
	k := 0
	for k < len(run) && (run[k] < '0' || run[k] > '9') {
		k++
	}
	if !piiAllDigits(run[k:]) {
		return 0
	}
	switch strings.ToUpper(run[:k]) {
	case "TEL", "PHONE", "MOB", "MOBILE", "CELL", "CELLPHONE":
		return k
	}
	return 0
}

func phoneGroupSep(s string) bool { return s == " " || s == "-" || s == "\u00a0" }

func phoneGroupJoinedBefore(text string, i int) bool {
	r := piiRuneBefore(text, i)
	if r == ' ' || r == '\u00a0' {
		return piiDigitEndsAt(text, i-utf8.RuneLen(r))
	}
	return piiJoinedBefore(text, i)
}

func phoneGroupJoinedAfter(text string, i int) bool {
	r := piiRuneAfter(text, i)
	if r == ' ' || r == '\u00a0' {
		return piiIsDigitAt(text, i+utf8.RuneLen(r))
	}
	return piiJoinedAfter(text, i)
}

// phonePlusBefore reports whether a '+' stands right before text[i].
func phonePlusBefore(text string, i int) bool {
	r := piiRuneBefore(text, i)
	return r == '+' || r == '＋'
}

// phonePrefixBefore reports whether run i is preceded by a country prefix
// (+86, 0086, +0086, with a blank, a hyphen or a closing bracket between).
func phonePrefixBefore(text string, runs []piiRun, i int) bool {
	if i == 0 {
		return false
	}
	p := runs[i-1]
	gap := text[p.end:runs[i].start]
	switch gap {
	case " ", "-", ")", "）", ") ", "） ", "\u00a0":
	default:
		return false
	}
	return p.norm == "0086" || p.norm == "86" && phonePlusBefore(text, p.start)
}

// ---- Bank card numbers ----

// BankRule finds bank card numbers: 16 to 19 digits, whole or in groups of
// four, that pass the Luhn check and either follow a card-like word or
// start with a known issuer prefix. ID numbers (which the pii_id rule
// reports), labelled order and serial numbers and figures are not found.
type BankRule struct{}

// NewBankRule returns the pii_bank rule.
func NewBankRule() *BankRule { return &BankRule{} }

// ID implements TextRule.
func (*BankRule) ID() string { return "pii_bank" }

// bankWords are what a card number's label or sentence says.
var bankWords = [...]string{
	"银行卡", "卡号", "账号", "帐号", "账户", "帐户", "开户行", "开户银行", "储蓄卡",
	"信用卡", "借记卡", "贷记卡", "银联", "社保卡", "一卡通", "存折", "折号", "收款卡",
}

// bankContextRunes is how far before a number its card-like word may be.
const bankContextRunes = 20

// bankOrgWords say that an account is an organisation's (a fine is paid
// to the finance bureau's account, which the notice must give): not a
// person's card, whatever its number looks like.
var bankOrgWords = [...]string{"对公", "非税", "汇缴", "结算户", "专户", "基本户", "基本账户", "单位账户", "收款单位", "收款户名"}

// bankOrgRunes is how far before a number an organisation's account is
// named: the account holder and the bank come first.
const bankOrgRunes = 40

// Check implements TextRule.
func (*BankRule) Check(text string) []Match {
	runs := piiScan(text)
	var out []Match
	add := func(start, end int, digits string) {
		if len(digits) < 16 || len(digits) > 19 || !LuhnValid(digits) || idNumberValid(digits) {
			return
		}
		if piiUnitAfter(text, end) || piiLabelIs(text, start, piiNumberLabels[:]) {
			return
		}
		if !bankIssuer(digits) && !bankContext(text, start) || bankOrgAccount(text, start) {
			return
		}
		out = append(out, Match{Start: start, End: end, Severity: Blocking,
			Message:    "疑似银行卡号，公开前须隐去中间位数",
			Suggestion: MaskBank(text[start:end])})
	}
	for i := 0; i < len(runs); i++ {
		r := runs[i]
		if !r.digits {
			continue
		}
		if n := len(r.norm); n >= 16 && n <= 19 {
			if !piiJoinedBefore(text, r.start) && !piiJoinedAfter(text, r.end) {
				add(r.start, r.end, r.norm)
			}
			continue
		}
		if len(r.norm) != 4 || bankGroupJoinedBefore(text, r.start) {
			continue
		}
		// A chain of digit groups joined by single blanks: a card is four
		// groups of four and perhaps a shorter last one, nothing more.
		j, digits := i, r.norm
		sep := ""
		if i+1 < len(runs) {
			sep = text[r.end:runs[i+1].start]
		}
		for bankGroupSep(sep) && j+1 < len(runs) && runs[j+1].digits && text[runs[j].end:runs[j+1].start] == sep {
			j++
			digits += runs[j].norm
		}
		groups := j - i + 1
		ok := groups >= 4 && len(digits) >= 16 && len(digits) <= 19 && !phoneGroupJoinedAfter(text, runs[j].end)
		for k := i; ok && k < j; k++ {
			ok = len(runs[k].norm) == 4
		}
		if ok {
			add(r.start, runs[j].end, digits)
		}
		i = j
	}
	return out
}

func bankGroupSep(s string) bool { return s == " " || s == "\u00a0" || s == "-" }

func bankGroupJoinedBefore(text string, i int) bool {
	r := piiRuneBefore(text, i)
	if r == ' ' || r == '\u00a0' {
		return piiDigitEndsAt(text, i-utf8.RuneLen(r))
	}
	return piiJoinedBefore(text, i)
}

// bankIssuer reports whether a card number starts with the prefix of a
// card scheme common in China and has that scheme's length: 62 UnionPay
// and 35 JCB 16–19 digits, 4 Visa 16 or 19, 51–55 Mastercard 16.
func bankIssuer(s string) bool {
	n := len(s)
	switch {
	case s[0] == '6' && s[1] == '2', s[0] == '3' && s[1] == '5':
		return n >= 16 && n <= 19
	case s[0] == '4':
		return n == 16 || n == 19
	case s[0] == '5' && s[1] >= '1' && s[1] <= '5':
		return n == 16
	}
	return false
}

// bankContext reports whether a card-like word stands within
// bankContextRunes characters before text[i], not counting digits: in
// 卡号 6217…、6228…、6214… the word is every number's.
func bankContext(text string, i int) bool {
	before := piiWordsBefore(text, i, bankContextRunes)
	for _, w := range bankWords {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}

// bankOrgAccount reports whether the number at text[i] is named as an
// organisation's account: by a word for one, or by an account holder
// (户名) that is an organisation.
func bankOrgAccount(text string, i int) bool {
	before := piiRunesBefore(text, i, bankOrgRunes)
	for _, w := range bankOrgWords {
		if strings.Contains(before, w) {
			return true
		}
	}
	k := strings.LastIndex(before, "户名")
	if k < 0 {
		return false
	}
	holder := strings.TrimLeft(before[k+len("户名"):], "：: \u3000")
	if end := strings.IndexAny(holder, "；;，,。\n\t 　"); end >= 0 {
		holder = holder[:end]
	}
	for _, suffix := range bankOrgHolders {
		if strings.HasSuffix(holder, suffix) {
			return true
		}
	}
	return false
}

// bankOrgHolders end the names of organisations.
var bankOrgHolders = [...]string{
	"局", "中心", "委员会", "公司", "办公室", "办事处", "政府", "学校", "小学", "中学", "大学",
	"学院", "医院", "卫生院", "银行", "所", "站", "队", "社", "协会", "基金会", "集团",
	"厂", "馆", "院", "处", "部", "厅", "委", "会", "街道", "村民委员会", "合作社",
}

// piiWordsBefore returns the text before byte i holding up to n
// characters other than digits and blanks (and at most 10n characters in
// all, so a page of numbers costs no more than a line).
func piiWordsBefore(text string, i, n int) string {
	j := i
	for all := 10 * n; n > 0 && all > 0 && j > 0; all-- {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		j -= size
		if _, d := piiAlnum(text, j); d == 0 && !secretBlank(r) {
			n--
		}
	}
	return text[j:i]
}

// LuhnValid reports whether a string of ASCII digits passes the Luhn
// check of card numbers.
func LuhnValid(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return s != "" && sum%10 == 0
}

var (
	_ TextRule = (*IDRule)(nil)
	_ TextRule = (*PhoneRule)(nil)
	_ TextRule = (*BankRule)(nil)
)
