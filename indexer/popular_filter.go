package indexer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/store"
)

// Which queries may be counted for the popular list, and how the clients
// asking them are told apart without keeping who they are.

// MaxPopularQueryRunes is the longest query counted (after normalising);
// a longer one is not counted at all rather than cut.
const MaxPopularQueryRunes = 64

// Bounds of what is held in memory between flushes and within a day.
const (
	maxPending       = 10000  // distinct (day, query) counts waiting for a flush
	maxSeenPairs     = 200000 // (client, query) pairs told apart within a day
	maxClientQueries = 100    // distinct queries one client adds within a day
)

// ErrPersonalQuery says a query looks like personal data and is never
// counted or stored.
var ErrPersonalQuery = errors.New("查询词疑似包含个人信息（身份证号、手机号、固定电话、电子邮箱或银行卡号），不予记录")

// Other reasons a query is not counted.
var (
	ErrEmptyQuery = errors.New("查询词为空")
	ErrLongQuery  = errors.New("查询词过长（最多 64 个字）")
)

// NormalizeQuery is the form a query is counted under: full-width Latin
// letters, digits and signs folded to ASCII, Latin letters in lower case,
// control characters dropped and blanks collapsed to one space.
func NormalizeQuery(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	space := false
	for _, r := range q {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII forms
			r -= 0xFF01 - 0x21
		case r == utf8.RuneError:
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == 0x200B || r == 0xFEFF {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CountableQuery normalises a query and says whether it may be counted:
// not empty, at most MaxPopularQueryRunes long, and holding nothing that
// looks like personal data (ErrPersonalQuery).
func CountableQuery(q string) (string, error) {
	q = NormalizeQuery(q)
	switch {
	case q == "":
		return "", ErrEmptyQuery
	case utf8.RuneCountInString(q) > MaxPopularQueryRunes:
		return "", ErrLongQuery
	case looksPersonal(q):
		return "", ErrPersonalQuery
	}
	return q, nil
}

// idRule checks ID numbers the way the quality gate does (region code,
// birth date, check digit).
var idRule = checks.NewIDRule()

// looksPersonal reports whether a normalised query holds an e-mail
// address, an ID number, a mobile or landline number or a bank card
// number. Numbers are read from the runs of digits of the query, and from
// groups of at least three digits joined by single blanks or hyphens
// (138 0539 1234, 0539-8123456, 6222 0212 3456 7890 123), so that the
// usual ways of writing them are all caught.
func looksPersonal(q string) bool {
	if hasEmail(q) {
		return true
	}
	runs := digitRuns(q)
	for _, r := range runs {
		if personalNumber(r.digits, true) || idInside(r.digits) {
			return true
		}
	}
	// Chains of groups, and every stretch of consecutive groups in them.
	for i := 0; i < len(runs); i++ {
		if len(runs[i].digits) < 3 {
			continue
		}
		joined := runs[i].digits
		for j := i + 1; j < len(runs) && j < i+8; j++ {
			if len(runs[j].digits) < 3 || !groupJoin(q[runs[j-1].end:runs[j].start]) {
				break
			}
			joined += runs[j].digits
			if personalNumber(joined, false) {
				return true
			}
		}
	}
	return false
}

type digitRun struct {
	start, end int    // bytes in the query
	digits     string // digits, and an X ending an 18-character ID number
}

// digitRuns are the maximal runs of ASCII digits of q; a run of 17 digits
// followed by x keeps it (the check character of an ID number).
func digitRuns(q string) []digitRun {
	var out []digitRun
	for i := 0; i < len(q); {
		if q[i] < '0' || q[i] > '9' {
			i++
			continue
		}
		start := i
		for i < len(q) && q[i] >= '0' && q[i] <= '9' {
			i++
		}
		if i-start == 17 && i < len(q) && q[i] == 'x' {
			i++
		}
		out = append(out, digitRun{start: start, end: i, digits: strings.ToUpper(q[start:i])})
	}
	return out
}

// groupJoin reports whether s joins two digit groups of one number.
func groupJoin(s string) bool { return s == " " || s == "-" }

// personalNumber reports whether a string of digits is an ID number, a
// mobile or landline number or a bank card number. Standalone local
// numbers (7 or 8 digits without the area code) count only when whole,
// never as a join of groups, and not when they read as a date.
func personalNumber(d string, whole bool) bool {
	n := len(d)
	switch {
	case (n == 18 || n == 15) && len(idRule.Check(d)) > 0:
		return true
	case checks.MobileShaped(d):
		return true
	case n == 13 && strings.HasPrefix(d, "86") && checks.MobileShaped(d[2:]):
		return true
	case n == 15 && strings.HasPrefix(d, "0086") && checks.MobileShaped(d[4:]):
		return true
	case n >= 10 && n <= 12 && d[0] == '0' && d[1] != '0' && allDigits(d):
		return true // area code and local number: 010-12345678, 0539-8123456
	case n >= 16 && n <= 19 && checks.LuhnValid(d):
		return true
	case whole && (n == 7 || n == 8) && d[0] >= '2' && !dateDigits(d):
		return true // a local landline number
	}
	return false
}

// idInside reports whether an ID number is part of a longer run of digits
// (the check digit makes an accidental match rare).
func idInside(d string) bool {
	if len(d) <= 18 {
		return false
	}
	for i := 0; i+18 <= len(d); i++ {
		if len(idRule.Check(d[i:i+18])) > 0 {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// dateDigits reports whether 8 digits read as a date of 1900–2099
// (20260115): such a run is a date, not a telephone number.
func dateDigits(d string) bool {
	if len(d) == 8 {
		_, err := time.Parse("20060102", d)
		return err == nil && (d[:2] == "19" || d[:2] == "20")
	}
	return false
}

// hasEmail reports whether an @ stands between a Latin letter or digit
// on each side: whatever follows, such a query names a mailbox.
func hasEmail(q string) bool {
	for i := 1; i+1 < len(q); i++ {
		if q[i] == '@' && emailChar(q[i-1]) && emailChar(q[i+1]) {
			return true
		}
	}
	return false
}

func emailChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '+'
}

// dayCounter counts, per query, the distinct clients that asked it on one
// China day. Clients are told apart by an HMAC of their address under a
// random key made for the day and held only in memory: neither the
// addresses nor the key are ever written anywhere, and a new day (or a
// restart) starts from a new key, so yesterday's hashes cannot be matched
// to today's. Each flush hands over the clients first seen since the last
// one, so a client asking a query any number of times in a day counts
// once for that day on this replica.
type dayCounter struct {
	day       string
	key       []byte
	mac       hash.Hash // HMAC-SHA256 under key, reused (add runs under the caller's lock)
	sum       []byte
	seen      map[uint64]struct{} // HMAC(client, query) pairs of the day
	perClient map[uint64]int      // distinct queries each client added today
	pending   map[dayQuery]*pendingCount
	dropped   int // asks not counted because a bound was reached
}

type dayQuery struct{ day, query string }

type pendingCount struct{ clients, asks int64 }

func newDayCounter() *dayCounter {
	return &dayCounter{pending: map[dayQuery]*pendingCount{}}
}

// startDay forgets the previous day's clients and draws a new key. The
// pending counts stay: they are flushed under the day they were made.
func (c *dayCounter) startDay(day string) {
	c.day = day
	c.key = make([]byte, 32)
	if _, err := rand.Read(c.key); err != nil {
		panic("indexer: no random source: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	c.mac = hmac.New(sha256.New, c.key)
	c.seen = map[uint64]struct{}{}
	c.perClient = map[uint64]int{}
}

// chinaDay is the China calendar day of t.
func chinaDay(t time.Time) string { return t.In(catalog.Shanghai).Format(time.DateOnly) }

// add counts one ask of an already normalised, countable query by client
// at instant now.
func (c *dayCounter) add(query, client string, now time.Time) {
	if day := chinaDay(now); day != c.day {
		c.startDay(day)
	}
	k := dayQuery{c.day, query}
	p := c.pending[k]
	if p == nil {
		if len(c.pending) >= maxPending {
			c.dropped++
			return
		}
		p = &pendingCount{}
		c.pending[k] = p
	}
	p.asks++
	who := c.hash(client, "")
	pair := c.hash(client, query)
	if _, ok := c.seen[pair]; ok {
		return
	}
	if len(c.seen) >= maxSeenPairs || c.perClient[who] >= maxClientQueries {
		c.dropped++
		return
	}
	c.seen[pair] = struct{}{}
	c.perClient[who]++
	p.clients++
}

// hash is the first 8 bytes of HMAC-SHA256 under the day's key of the
// client's address, and of the query when one is given.
func (c *dayCounter) hash(client, query string) uint64 {
	c.mac.Reset()
	io.WriteString(c.mac, client)
	if query != "" {
		c.mac.Write([]byte{0})
		io.WriteString(c.mac, query)
	}
	c.sum = c.mac.Sum(c.sum[:0])
	return binary.BigEndian.Uint64(c.sum)
}

// take hands over the pending counts and starts a new flush window.
func (c *dayCounter) take() []store.QueryDayCount {
	if len(c.pending) == 0 {
		return nil
	}
	out := make([]store.QueryDayCount, 0, len(c.pending))
	for k, p := range c.pending {
		out = append(out, store.QueryDayCount{Query: k.query, Day: k.day, Clients: p.clients, Asks: p.asks})
	}
	c.pending = map[dayQuery]*pendingCount{}
	return out
}

// giveBack returns counts a flush could not write, so that a passing
// failure loses nothing.
func (c *dayCounter) giveBack(rows []store.QueryDayCount) {
	for _, r := range rows {
		k := dayQuery{r.Day, r.Query}
		p := c.pending[k]
		if p == nil {
			p = &pendingCount{}
			c.pending[k] = p
		}
		p.clients += r.Clients
		p.asks += r.Asks
	}
}
