package indexer

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
)

func TestCountableQuery(t *testing.T) {
	tests := []struct {
		name, q, want string // want "" with err
		err           error
	}{
		// Normal queries, digits included, are counted.
		{"words", "公积金 提取", "公积金 提取", nil},
		{"a year", "2026年 政府工作报告", "2026年 政府工作报告", nil},
		{"a document number", "临政发〔2026〕7号", "临政发〔2026〕7号", nil},
		{"a document number with brackets", "临发改发[2018]12号", "临发改发[2018]12号", nil},
		{"a date", "20260115 会议纪要", "20260115 会议纪要", nil},
		{"a date with hyphens", "2026-01-15", "2026-01-15", nil},
		{"the citizens' hotline", "12345热线", "12345热线", nil},
		{"a service number", "95588", "95588", nil},
		{"a postcode", "276000", "276000", nil},
		{"an ID number with a wrong check digit", "371302198709166579", "371302198709166579", nil},
		{"an 18-digit run with an impossible date", "371302198713166578", "371302198713166578", nil},
		{"15 digits with an impossible date", "110105491331002", "110105491331002", nil},
		{"a card number failing the Luhn check", "6222021234567890127", "6222021234567890127", nil},
		{"ten digits not starting with 0", "2026000001", "2026000001", nil},
		{"seven digits starting with 1", "1234567", "1234567", nil},
		{"an at sign alone", "@ 市政府", "@ 市政府", nil},
		{"folded and collapsed", "  ＧＤＰ\u3000　增长\t", "gdp 增长", nil},
		{"64 runes", strings.Repeat("政", 64), strings.Repeat("政", 64), nil},

		// Nothing of these is counted.
		{"empty", " \t ", "", ErrEmptyQuery},
		{"65 runes", strings.Repeat("政", 65), "", ErrLongQuery},
		{"an ID number", "371302198709166578", "", ErrPersonalQuery},
		{"an ID number with X", "11010519491231002X", "", ErrPersonalQuery},
		{"an ID number with x, in words", "张三 身份证11010519491231002x", "", ErrPersonalQuery},
		{"an ID number in full width", "３７１３０２１９８７０９１６６５７８", "", ErrPersonalQuery},
		{"an ID number in groups", "371302 19870916 6578", "", ErrPersonalQuery},
		{"an ID number glued to letters", "id371302198709166578abc", "", ErrPersonalQuery},
		{"an ID number inside a longer run", "99371302198709166578", "", ErrPersonalQuery},
		{"an old 15-digit ID number", "110105491231002", "", ErrPersonalQuery},
		{"a mobile", "13805391234", "", ErrPersonalQuery},
		{"a mobile-shaped round figure: dropped rather than risk a number", "13900000000", "", ErrPersonalQuery},
		{"a mobile in words", "王五电话13805391234", "", ErrPersonalQuery},
		{"a mobile in groups", "138 0539 1234", "", ErrPersonalQuery},
		{"a mobile with hyphens", "138-0539-1234", "", ErrPersonalQuery},
		{"a mobile with +86", "+8613805391234", "", ErrPersonalQuery},
		{"a mobile with 0086", "008613805391234", "", ErrPersonalQuery},
		{"a mobile after a year", "2026 13805391234", "", ErrPersonalQuery},
		{"a landline with area code", "0539-8123456", "", ErrPersonalQuery},
		{"a Beijing landline", "010 12345678", "", ErrPersonalQuery},
		{"a landline in brackets", "（0539）8123456", "", ErrPersonalQuery},
		{"a local landline", "8123456", "", ErrPersonalQuery},
		{"a local landline of 8 digits", "电话 88123456", "", ErrPersonalQuery},
		{"an e-mail", "zhang.san@163.com", "", ErrPersonalQuery},
		{"an e-mail in full width", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "", ErrPersonalQuery},
		{"a bank card", "6222021234567890128", "", ErrPersonalQuery},
		{"a bank card of 16 digits", "4111111111111111", "", ErrPersonalQuery},
		{"a bank card in groups", "6222 0212 3456 7890 128", "", ErrPersonalQuery},
		{"a bank card with hyphens", "4111-1111-1111-1111", "", ErrPersonalQuery},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CountableQuery(tc.q)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Errorf("CountableQuery(%q) = %q, %v; want %q, %v", tc.q, got, err, tc.want, tc.err)
			}
		})
	}
}

// at is an instant on 1 June 2026, China time.
func at(hour, minute int) time.Time {
	return time.Date(2026, 6, 1, hour, minute, 0, 0, catalog.Shanghai)
}

func pendingOf(c *dayCounter) map[string]string {
	out := map[string]string{}
	for _, r := range c.take() {
		out[r.Day+" "+r.Query] = fmt.Sprintf("%d/%d", r.Clients, r.Asks)
	}
	return out
}

func TestDayCounter(t *testing.T) {
	tests := []struct {
		name string
		asks func(c *dayCounter)
		want map[string]string // "day query" → clients/asks
	}{
		{"one client a thousand times counts once", func(c *dayCounter) {
			for i := range 1000 {
				c.add("公积金", "203.0.113.7", at(9, i%60))
			}
		}, map[string]string{"2026-06-01 公积金": "1/1000"}},
		{"thirty clients count thirty", func(c *dayCounter) {
			for i := range 30 {
				for range 3 {
					c.add("公积金", fmt.Sprintf("203.0.113.%d", i), at(9, i))
				}
			}
		}, map[string]string{"2026-06-01 公积金": "30/90"}},
		{"queries apart", func(c *dayCounter) {
			c.add("公积金", "a", at(9, 0))
			c.add("社保", "a", at(9, 1))
			c.add("社保", "b", at(9, 2))
		}, map[string]string{"2026-06-01 公积金": "1/1", "2026-06-01 社保": "2/2"}},
		{"a new day counts the client again, under that day", func(c *dayCounter) {
			c.add("公积金", "a", at(23, 59))
			c.add("公积金", "a", at(23, 59).Add(2*time.Minute))
			c.add("公积金", "a", at(23, 59).Add(3*time.Minute))
		}, map[string]string{"2026-06-01 公积金": "1/1", "2026-06-02 公积金": "1/2"}},
		{"one client adds a bounded number of queries a day", func(c *dayCounter) {
			for i := range maxClientQueries + 50 {
				c.add(fmt.Sprintf("查询%03d", i), "flood", at(10, 0))
			}
			c.add("查询000", "other", at(10, 1))
		}, nil}, // checked below
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newDayCounter()
			tc.asks(c)
			got := pendingOf(c)
			if tc.want == nil {
				clients := 0
				for _, v := range got {
					var n, a int
					fmt.Sscanf(v, "%d/%d", &n, &a)
					clients += n
				}
				if clients != maxClientQueries+1 {
					t.Errorf("%d clients counted, want %d (the flooding client's first %d queries and the other client)", clients, maxClientQueries+1, maxClientQueries)
				}
				return
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A client counted before a flush is not counted again after it within
// the same day; the key of a day is never reused.
func TestDayCounterAcrossFlushes(t *testing.T) {
	c := newDayCounter()
	c.add("公积金", "a", at(9, 0))
	first := pendingOf(c)
	c.add("公积金", "a", at(9, 30))
	c.add("公积金", "b", at(9, 31))
	second := pendingOf(c)
	if first["2026-06-01 公积金"] != "1/1" || second["2026-06-01 公积金"] != "1/2" {
		t.Errorf("first flush %v, second %v: a client seen before a flush must not count again", first, second)
	}
	key := string(c.key)
	c.add("公积金", "a", at(9, 0).AddDate(0, 0, 1))
	if string(c.key) == key {
		t.Error("a new day kept the previous day's key")
	}
}

// Bounds: at most maxPending queries wait for a flush.
func TestDayCounterBounded(t *testing.T) {
	c := newDayCounter()
	for i := range maxPending + 10 {
		c.add(fmt.Sprintf("q%d", i), fmt.Sprintf("client%d", i), at(9, 0))
	}
	if n := len(c.take()); n != maxPending {
		t.Errorf("%d queries held, want the bound %d", n, maxPending)
	}
	if c.dropped != 10 {
		t.Errorf("%d asks reported dropped, want 10", c.dropped)
	}
}

// What the store is given back after a failed flush is added to what
// came since.
func TestDayCounterGiveBack(t *testing.T) {
	c := newDayCounter()
	c.add("公积金", "a", at(9, 0))
	rows := c.take()
	c.add("公积金", "b", at(9, 1))
	c.giveBack(rows)
	got := pendingOf(c)
	if got["2026-06-01 公积金"] != "2/2" {
		t.Errorf("after giving back: %v", got)
	}
}
