package indexer

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/catalog"
)

// FacetFields are the facets of a search, in the order they are listed;
// each is also a filter parameter.
var FacetFields = []string{"unit", "column", "topic", "doc_type", "year", "validity"}

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"
)

// Request limits.
const (
	MaxQueryRunes   = 2000  // longer queries are refused
	MaxSize         = 100   // hits per page
	DefaultSize     = 20    //
	MaxWindow       = 10000 // page × size beyond this needs the after cursor
	maxFilterValues = 20    // values selected in one facet
	maxFilterRunes  = 100   // length of one filter value
	maxCursorBytes  = 1024
)

// Request is a search as the API takes it.
type Request struct {
	Q         string
	Filters   map[string][]string // facet field → values; OR within a facet, AND across facets
	Sort      string              // SortRelevance (default with a query) or SortDate
	Page      int                 // 1-based; ignored when After is set
	Size      int
	After     string // cursor from a previous result's Next, for deep paging
	TitleOnly bool
	// NoCorrect searches the query as typed even when it finds nothing
	// and its correction would ("仍搜索").
	NoCorrect bool
	// Client is the asking client's address, which only tells clients
	// apart for the popular queries (never stored; not part of the cache key).
	Client string
}

// knownParams are the query parameters ParseRequest understands.
var knownParams = append([]string{"q", "sort", "page", "size", "after", "title_only", "nocorrect"}, FacetFields...)

// ParseRequest reads a search from URL query parameters. Unknown
// parameters and values out of range are reported together as
// catalog.FieldErrors, each naming its parameter.
func ParseRequest(v url.Values) (Request, error) {
	var errs catalog.FieldErrors
	var unknown []string
	for k := range v {
		if !slices.Contains(knownParams, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		errs.Add(k, "未知参数 (unknown parameter; known: "+strings.Join(knownParams, ", ")+")")
	}
	one := func(name string) string {
		vals := v[name]
		if len(vals) > 1 {
			errs.Add(name, "只能出现一次 (given more than once)")
		}
		if len(vals) == 0 {
			return ""
		}
		return strings.TrimSpace(vals[0])
	}
	r := Request{Q: one("q"), Sort: one("sort"), After: one("after"), Size: DefaultSize, Page: 1}
	if n := utf8.RuneCountInString(r.Q); n > MaxQueryRunes {
		errs.Add("q", fmt.Sprintf("检索词过长：%d 个字符，最多 %d 个 (query too long)", n, MaxQueryRunes))
	} else if !utf8.ValidString(r.Q) {
		errs.Add("q", "检索词不是有效的 UTF-8 文本 (not valid UTF-8)")
	}
	switch r.Sort {
	case "", SortRelevance, SortDate:
	default:
		errs.Add("sort", "排序只能是 relevance 或 date (got "+strconv.Quote(truncateRunes(r.Sort, 20))+")")
	}
	if s := one("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxSize {
			errs.Add("size", fmt.Sprintf("每页条数应为 1 到 %d 之间的整数 (size must be 1..%d)", MaxSize, MaxSize))
		} else {
			r.Size = n
		}
	}
	if s := one("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			errs.Add("page", "页码应为正整数 (page must be a positive integer)")
		} else {
			r.Page = n
		}
	}
	if r.After == "" && r.Page > 1 && (r.Page-1)*r.Size+r.Size > MaxWindow {
		errs.Add("page", fmt.Sprintf("页码过大：按页翻阅最多到第 %d 条，更深请使用 after 游标 (beyond %d results use the after cursor from next)", MaxWindow, MaxWindow))
	}
	if len(r.After) > maxCursorBytes {
		errs.Add("after", "游标无效 (invalid cursor)")
	}
	flag := func(name string) bool {
		switch one(name) {
		case "", "0", "false":
			return false
		case "1", "true":
			return true
		}
		errs.Add(name, name+" 只能是 1 或 0")
		return false
	}
	r.TitleOnly, r.NoCorrect = flag("title_only"), flag("nocorrect")
	for _, f := range FacetFields {
		vals := v[f]
		if len(vals) == 0 {
			continue
		}
		if len(vals) > maxFilterValues {
			errs.Add(f, fmt.Sprintf("最多可选 %d 个值 (at most %d values)", maxFilterValues, maxFilterValues))
			continue
		}
		for _, val := range vals {
			val = strings.TrimSpace(val)
			if val == "" {
				continue
			}
			if utf8.RuneCountInString(val) > maxFilterRunes || !utf8.ValidString(val) {
				errs.Add(f, "筛选值过长或无效 (value too long or invalid)")
				break
			}
			if r.Filters == nil {
				r.Filters = map[string][]string{}
			}
			if !slices.Contains(r.Filters[f], val) {
				r.Filters[f] = append(r.Filters[f], val)
			}
		}
	}
	if r.After != "" {
		if _, err := decodeCursor(r.After, r.sort()); err != nil {
			errs.Add("after", err.Error())
		}
	}
	return r, errs.Err()
}

// sort is the order the request asks for: relevance when there is a query,
// newest first when browsing without one.
func (r Request) sort() string {
	if r.Sort != "" {
		return r.Sort
	}
	if strings.TrimSpace(r.Q) == "" {
		return SortDate
	}
	return SortRelevance
}

// cursor is where a page ended: the sort values of its last hit (score
// for relevance, then publication time, then id).
type cursor struct {
	Sort   string   `json:"s"`
	Values []string `json:"v"`
	at     ranked
}

// cursorAt is the cursor that resumes after h.
func cursorAt(h ranked, sort string) cursor {
	c := cursor{Sort: sort, Values: []string{time.Unix(0, h.pub).UTC().Format(time.RFC3339Nano), h.key}}
	if sort == SortRelevance {
		c.Values = append([]string{strconv.FormatFloat(h.score, 'g', -1, 64)}, c.Values...)
	}
	return c
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor checks a cursor against the order it must continue.
func decodeCursor(s, sort string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return c, fmt.Errorf("游标无效 (invalid cursor)")
	}
	if c.Sort != sort {
		return c, fmt.Errorf("游标属于另一种排序 (cursor was made for sort=%s)", c.Sort)
	}
	want := 2 // date, id
	if sort == SortRelevance {
		want = 3 // score, date, id
	}
	if len(c.Values) != want {
		return c, fmt.Errorf("游标无效 (invalid cursor)")
	}
	if sort == SortRelevance {
		score, err := strconv.ParseFloat(c.Values[0], 64)
		if err != nil {
			return c, fmt.Errorf("游标无效 (invalid cursor)")
		}
		c.at.score = score
	}
	t, err := time.Parse(time.RFC3339Nano, c.Values[len(c.Values)-2])
	if err != nil {
		return c, fmt.Errorf("游标无效 (invalid cursor)")
	}
	c.at.pub = t.UnixNano()
	c.at.key = c.Values[len(c.Values)-1]
	return c, nil
}
