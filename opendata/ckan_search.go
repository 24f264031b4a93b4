package opendata

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongkai/internal/store"
)

// fqNode is a parsed part of package_search's fq (and of field:value
// terms in q): it tells whether a dataset matches.
type fqNode interface {
	match(d *store.DatasetSummary) bool
}

type (
	fqAll struct{} // *:*
	fqAnd []fqNode // every part matches
	fqOr  []fqNode // one part matches
	fqNot struct { // -term, NOT term
		fqNode
	}
	// fqTerm matches a dataset with one of the values of a facet
	// (values: "*" means any non-empty value).
	fqTerm struct {
		facet  string
		values []string
	}
	// fqConst matches every dataset or none: a field whose value is the
	// same for all datasets here (capacity:public, state:active).
	fqConst bool
	// fqRange matches a timestamp in a range; a zero bound is open.
	fqRange struct {
		field          string
		lo, hi         time.Time
		loIncl, hiIncl bool
	}
)

func (fqAll) match(*store.DatasetSummary) bool { return true }

func (c fqConst) match(*store.DatasetSummary) bool { return bool(c) }

func (a fqAnd) match(d *store.DatasetSummary) bool {
	for _, n := range a {
		if !n.match(d) {
			return false
		}
	}
	return true
}

func (o fqOr) match(d *store.DatasetSummary) bool {
	for _, n := range o {
		if n.match(d) {
			return true
		}
	}
	return false
}

func (n fqNot) match(d *store.DatasetSummary) bool { return !n.fqNode.match(d) }

func (t fqTerm) match(d *store.DatasetSummary) bool {
	var have []string
	if t.facet == ckanName {
		have = []string{d.ID}
	} else {
		have = facetValues(d, t.facet)
	}
	for _, v := range have {
		for _, w := range t.values {
			if w == v || w == "*" && v != "" {
				return true
			}
		}
	}
	return false
}

func (r fqRange) match(d *store.DatasetSummary) bool {
	t := d.UpdatedAt
	if r.field == "metadata_created" {
		t = d.CreatedAt
	}
	if !r.lo.IsZero() && (t.Before(r.lo) || !r.loIncl && t.Equal(r.lo)) {
		return false
	}
	if !r.hi.IsZero() && (t.After(r.hi) || !r.hiIncl && t.Equal(r.hi)) {
		return false
	}
	return true
}

// fqConstFields are fields CKAN clients filter on whose value is the same
// for every dataset here: all are public, active datasets.
var fqConstFields = map[string]string{"capacity": "public", "state": "active", "dataset_type": "dataset", "type": "dataset", "entity_type": "package"}

// fqRangeFields are the timestamps fq can bound: [from TO to].
var fqRangeFields = []string{"metadata_modified", "metadata_created"}

// Bounds of one fq: its length, terms and nesting.
const (
	maxFQBytes = 4000
	maxFQTerms = 200
	maxFQDepth = 10
)

// parseFQ reads the subset of Solr's query syntax that CKAN clients and
// harvesters send in fq: field:value, field:"quoted value",
// field:(a OR b), field:* and *:*, ranges field:[from TO to] (or {…},
// exclusive) on metadata_modified and metadata_created with ISO 8601
// instants, NOW and NOW-1DAY style offsets and * for an open end;
// +term, -term, !term and NOT term; parentheses; terms joined by spaces
// or AND (all must match) and by OR (one must). OR binds tighter than
// the implicit AND: "a OR b c" is (a OR b) AND c, which is what
// harvesters mean by "organization:x OR organization:y
// metadata_modified:[… TO *]".
func parseFQ(fq string) (fqNode, error) {
	if len(fq) > maxFQBytes {
		return nil, ckanValidation("fq", fmt.Sprintf("筛选条件过长 (fq is longer than %d bytes)", maxFQBytes))
	}
	p := &fqParser{s: fq, now: time.Now().UTC()}
	n, err := p.expr(false)
	if err != nil {
		return nil, ckanValidation("fq", err.Error())
	}
	return n, nil
}

type fqParser struct {
	s     string
	pos   int
	depth int
	terms int
	now   time.Time
}

func (p *fqParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

// word is the bare token at the position, without consuming it.
func (p *fqParser) word() string {
	end := p.pos
	for end < len(p.s) && !strings.ContainsRune(" \t\r\n()", rune(p.s[end])) {
		end++
	}
	return p.s[p.pos:end]
}

// expr reads terms up to the end, or up to the closing parenthesis.
func (p *fqParser) expr(closing bool) (fqNode, error) {
	var and fqAnd
	or := false
	for {
		p.skipSpace()
		if p.pos == len(p.s) {
			if closing {
				return nil, errors.New("缺少右括号 (a parenthesis is not closed)")
			}
			break
		}
		if p.s[p.pos] == ')' {
			if !closing {
				return nil, fmt.Errorf("第 %d 个字符处多了右括号 (unbalanced parenthesis at character %d)", p.pos+1, p.pos+1)
			}
			p.pos++
			break
		}
		switch w := p.word(); w {
		case "AND", "&&":
			p.pos += len(w)
			continue
		case "OR", "||":
			if len(and) == 0 || or {
				return nil, fmt.Errorf("OR 前后都要有条件 (OR needs a term on either side)")
			}
			p.pos += len(w)
			or = true
			continue
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		if or {
			last := and[len(and)-1]
			if alts, ok := last.(fqOr); ok {
				and[len(and)-1] = append(alts, n)
			} else {
				and[len(and)-1] = fqOr{last, n}
			}
			or = false
			continue
		}
		and = append(and, n)
	}
	if or {
		return nil, errors.New("OR 后缺少条件 (OR needs a term after it)")
	}
	if len(and) == 1 {
		return and[0], nil
	}
	return and, nil
}

func (p *fqParser) unary() (fqNode, error) {
	p.skipSpace()
	if p.pos == len(p.s) {
		return nil, errors.New("缺少条件 (a term is missing)")
	}
	switch c := p.s[p.pos]; {
	case c == '-' || c == '!':
		p.pos++
		n, err := p.unary()
		return fqNot{n}, err
	case c == '+':
		p.pos++
		return p.unary()
	case c == '(':
		if p.depth++; p.depth > maxFQDepth {
			return nil, fmt.Errorf("括号嵌套超过 %d 层 (parentheses nested deeper than %d)", maxFQDepth, maxFQDepth)
		}
		p.pos++
		n, err := p.expr(true)
		p.depth--
		return n, err
	}
	if p.word() == "NOT" {
		p.pos += 3
		n, err := p.unary()
		return fqNot{n}, err
	}
	if p.terms++; p.terms > maxFQTerms {
		return nil, fmt.Errorf("条件超过 %d 个 (more than %d terms)", maxFQTerms, maxFQTerms)
	}
	return p.term()
}

// term reads field:value.
func (p *fqParser) term() (fqNode, error) {
	start := p.pos
	for p.pos < len(p.s) && (isFieldChar(p.s[p.pos]) || p.s[p.pos] == '*') {
		p.pos++
	}
	field := p.s[start:p.pos]
	if field == "" || p.pos == len(p.s) || p.s[p.pos] != ':' {
		p.pos = start
		w := p.word()
		if w == "" {
			w = p.s[start : start+1]
		}
		return nil, fmt.Errorf("无法理解 %q，应为 字段:值 (expected field:value)", truncateFQ(w))
	}
	p.pos++
	if field == "*" {
		if v := p.word(); v != "*" {
			return nil, fmt.Errorf("*: 之后应为 * (*:* matches everything; got *:%s)", truncateFQ(v))
		}
		p.pos++
		return fqAll{}, nil
	}
	if p.pos == len(p.s) {
		return nil, fmt.Errorf("%s: 缺少值 (a value is missing)", field)
	}
	if c := p.s[p.pos]; c == '[' || c == '{' {
		return p.rangeTerm(field)
	}
	var vals []string
	if p.s[p.pos] == '(' {
		p.pos++
		for {
			p.skipSpace()
			if p.pos == len(p.s) {
				return nil, fmt.Errorf("%s: 缺少右括号 (a parenthesis is not closed)", field)
			}
			if p.s[p.pos] == ')' {
				p.pos++
				break
			}
			if w := p.word(); w == "OR" || w == "||" {
				p.pos += len(w)
				continue
			} else if w == "AND" || w == "&&" {
				return nil, fmt.Errorf("%s:(…) 中只支持 OR (only OR inside field:(…))", field)
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("%s:() 没有值 (no values)", field)
		}
	} else {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		vals = []string{v}
	}
	return fqTermOf(field, vals)
}

func isFieldChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// value reads a quoted or bare value (a backslash escapes the next
// character).
func (p *fqParser) value() (string, error) {
	var b strings.Builder
	if p.s[p.pos] == '"' {
		p.pos++
		for p.pos < len(p.s) {
			c := p.s[p.pos]
			p.pos++
			switch {
			case c == '\\' && p.pos < len(p.s):
				b.WriteByte(p.s[p.pos])
				p.pos++
			case c == '"':
				return b.String(), nil
			default:
				b.WriteByte(c)
			}
		}
		return "", errors.New("引号没有闭合 (a quote is not closed)")
	}
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')' {
			break
		}
		p.pos++
		if c == '\\' && p.pos < len(p.s) {
			c = p.s[p.pos]
			p.pos++
		}
		b.WriteByte(c)
	}
	if b.Len() == 0 {
		return "", errors.New("缺少值 (a value is missing)")
	}
	return b.String(), nil
}

// fqTermOf resolves field:values to what they filter.
func fqTermOf(field string, vals []string) (fqNode, error) {
	if want, ok := fqConstFields[field]; ok {
		return fqConst(slices.Contains(vals, want) || slices.Contains(vals, "*")), nil
	}
	if slices.Contains(fqRangeFields, field) {
		return nil, fmt.Errorf("%s 只能按范围筛选，如 %s:[2024-01-01T00:00:00Z TO *] (%s takes a range)", field, field, field)
	}
	facet, known := ckanFacets[field]
	if !known {
		return nil, fmt.Errorf("不支持按 %q 筛选 (unsupported field; use organization, owner_org, groups, res_format, tags, license_id, update_frequency, open_type, name, id, metadata_modified, metadata_created)", truncateFQ(field))
	}
	for i, v := range vals {
		switch facet {
		case FacetDomain:
			vals[i] = domainOfGroup(v)
		case FacetFormat:
			vals[i] = strings.ToLower(v)
		}
	}
	return fqTerm{facet: facet, values: vals}, nil
}

// rangeTerm reads [from TO to] ({…} excludes an end).
func (p *fqParser) rangeTerm(field string) (fqNode, error) {
	open := p.s[p.pos]
	end := strings.IndexAny(p.s[p.pos:], "]}")
	if end < 0 {
		return nil, fmt.Errorf("%s: 范围缺少 ] (a range is not closed)", field)
	}
	inner := p.s[p.pos+1 : p.pos+end]
	closeC := p.s[p.pos+end]
	p.pos += end + 1
	if !slices.Contains(fqRangeFields, field) {
		return nil, fmt.Errorf("只有 metadata_modified 和 metadata_created 可以按范围筛选 (ranges are supported on metadata_modified and metadata_created; got %s)", truncateFQ(field))
	}
	parts := strings.Fields(inner)
	if len(parts) != 3 || parts[1] != "TO" {
		return nil, fmt.Errorf("%s: 范围应写作 [起 TO 止] (a range is [from TO to])", field)
	}
	r := fqRange{field: field, loIncl: open == '[', hiIncl: closeC == ']'}
	var err error
	if r.lo, err = p.instant(parts[0]); err != nil {
		return nil, fmt.Errorf("%s: %v", field, err)
	}
	if r.hi, err = p.instant(parts[2]); err != nil {
		return nil, fmt.Errorf("%s: %v", field, err)
	}
	return r, nil
}

// instant reads a range bound: * (open: the zero time), an ISO 8601
// instant (UTC when it has no zone, as Solr's are), or NOW with offsets
// (NOW-1DAY, NOW-6HOURS, NOW/DAY).
func (p *fqParser) instant(s string) (time.Time, error) {
	if s == "*" {
		return time.Time{}, nil
	}
	if rest, ok := strings.CutPrefix(s, "NOW"); ok {
		return solrDateMath(p.now, rest)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("无法理解时间 %q，应如 2024-03-01T00:00:00Z、NOW-7DAYS 或 * (not an instant)", truncateFQ(s))
}

// solrDateMath applies Solr's date math (+N UNIT, -N UNIT, /UNIT) to t.
func solrDateMath(t time.Time, math string) (time.Time, error) {
	bad := fmt.Errorf("无法理解时间运算 %q (date math like NOW-7DAYS or NOW/DAY)", truncateFQ("NOW"+math))
	for math != "" {
		op := math[0]
		if op != '+' && op != '-' && op != '/' {
			return time.Time{}, bad
		}
		math = math[1:]
		n := 0
		digits := 0
		for digits < len(math) && math[digits] >= '0' && math[digits] <= '9' && digits < 6 {
			n = n*10 + int(math[digits]-'0')
			digits++
		}
		if (op == '/') != (digits == 0) {
			return time.Time{}, bad
		}
		math = math[digits:]
		unitEnd := 0
		for unitEnd < len(math) && math[unitEnd] >= 'A' && math[unitEnd] <= 'Z' {
			unitEnd++
		}
		unit := strings.TrimSuffix(math[:unitEnd], "S")
		math = math[unitEnd:]
		if op == '-' {
			n = -n
		}
		switch unit {
		case "YEAR":
			if op == '/' {
				t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			} else {
				t = t.AddDate(n, 0, 0)
			}
		case "MONTH":
			if op == '/' {
				t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
			} else {
				t = t.AddDate(0, n, 0)
			}
		case "DAY", "DATE":
			if op == '/' {
				t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			} else {
				t = t.AddDate(0, 0, n)
			}
		case "HOUR", "MINUTE", "SECOND":
			d := map[string]time.Duration{"HOUR": time.Hour, "MINUTE": time.Minute, "SECOND": time.Second}[unit]
			if op == '/' {
				t = t.Truncate(d)
			} else {
				t = t.Add(time.Duration(n) * d)
			}
		default:
			return time.Time{}, bad
		}
	}
	return t, nil
}

func truncateFQ(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// splitQuery separates the field:value terms some clients put in q (as
// Solr allows) from the words: the terms filter like fq, the words
// search the text.
func splitQuery(q string) (textMatcher, []fqNode) {
	var words []string
	var terms []fqNode
	for w := range strings.FieldsSeq(q) {
		if field, _, ok := strings.Cut(w, ":"); ok && field != "" {
			_, known := ckanFacets[field]
			if _, constant := fqConstFields[field]; known || constant || field == "*" {
				if n, err := parseFQ(w); err == nil {
					terms = append(terms, n)
					continue
				}
			}
		}
		words = append(words, w)
	}
	return newTextMatcher(strings.Join(words, " ")), terms
}

// ckanFacetItem is one value of a search facet.
type ckanFacetItem struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Count       int    `json:"count"`
}

type ckanSearchFacet struct {
	Title string          `json:"title"`
	Items []ckanFacetItem `json:"items"`
}

func (s *Service) ckanPackageSearch(ctx context.Context, base string, p ckanParams) (any, error) {
	q, err := p.str("q")
	if err != nil {
		return nil, err
	}
	fq, err := p.str("fq")
	if err != nil {
		return nil, err
	}
	filter, err := parseFQ(fq)
	if err != nil {
		return nil, err
	}
	text, more := splitQuery(q)
	clauses := append(fqAnd{filter}, more...)
	rows, err := p.integer("rows", 10, 0, 1000)
	if err != nil {
		return nil, err
	}
	start, err := p.integer("start", 0, 0, 1<<30)
	if err != nil {
		return nil, err
	}
	facetFields, err := p.list("facet.field")
	if err != nil {
		return nil, err
	}
	if _, given := p["facet.field"]; !given {
		if on, err := p.boolean("facet", true); err != nil {
			return nil, err
		} else if on {
			facetFields = ckanDefaultFacets
		}
	}
	for _, f := range facetFields {
		if _, ok := ckanFacets[f]; !ok || f == "name" || f == "id" {
			return nil, ckanValidation("facet.field", fmt.Sprintf("不支持的分面 %q (unsupported facet)", f))
		}
	}
	facetLimit, err := p.integer("facet.limit", 50, -1, 1<<20)
	if err != nil {
		return nil, err
	}
	sortSpec, err := p.str("sort")
	if err != nil {
		return nil, err
	}
	less, err := ckanPackageOrder(sortSpec)
	if err != nil {
		return nil, err
	}

	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	var hits []*store.DatasetSummary
	unitNames := map[string]string{}
	for i := range all {
		d := &all[i]
		unitNames[d.Unit] = d.UnitName
		if text.match(d) && clauses.match(d) {
			hits = append(hits, d)
		}
	}
	slices.SortStableFunc(hits, less)

	facets := map[string]map[string]int{}
	searchFacets := map[string]ckanSearchFacet{}
	for _, field := range facetFields {
		facet := ckanFacets[field]
		counts := map[string]int{}
		for _, d := range hits {
			for _, v := range uniqueValues(facetValues(d, facet)) {
				counts[ckanFacetName(facet, v)]++
			}
		}
		items := make([]ckanFacetItem, 0, len(counts))
		for name, n := range counts {
			items = append(items, ckanFacetItem{Name: name, DisplayName: ckanFacetDisplay(facet, name, unitNames), Count: n})
		}
		slices.SortFunc(items, func(a, b ckanFacetItem) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return cmp.Compare(a.Name, b.Name)
		})
		if facetLimit >= 0 && len(items) > facetLimit {
			items = items[:facetLimit]
		}
		facets[field] = counts
		searchFacets[field] = ckanSearchFacet{Title: field, Items: items}
	}
	results := []ckanPackage{}
	for _, d := range hits[min(start, len(hits)):min(start+rows, len(hits))] {
		results = append(results, packageOf(base, d))
	}
	if sortSpec == "" {
		sortSpec = "score desc, metadata_modified desc"
	}
	return map[string]any{"count": len(hits), "sort": sortSpec, "facets": facets, "search_facets": searchFacets, "results": results}, nil
}

// ckanFacetName is a facet value as CKAN names it: groups by their ASCII
// name, formats in capitals.
func ckanFacetName(facet, v string) string {
	switch facet {
	case FacetDomain:
		return groupName(v)
	case FacetFormat:
		return Format(v).Label()
	}
	return v
}

func ckanFacetDisplay(facet, name string, unitNames map[string]string) string {
	switch facet {
	case FacetDomain:
		return domainOfGroup(name)
	case FacetUnit:
		if n := unitNames[name]; n != "" {
			return n
		}
	}
	return name
}

// ckanPackageOrder reads package_search's sort: comma-separated "field
// dir"; score is accepted and means the default order (newest first).
func ckanPackageOrder(spec string) (func(a, b *store.DatasetSummary) int, error) {
	type key struct {
		field string
		desc  bool
	}
	var keys []key
	for part := range strings.SplitSeq(spec, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		k := key{field: f[0]}
		if len(f) > 1 {
			switch strings.ToLower(f[1]) {
			case "asc":
			case "desc":
				k.desc = true
			default:
				return nil, ckanValidation("sort", fmt.Sprintf("排序方向应为 asc 或 desc (got %q)", f[1]))
			}
		}
		switch k.field {
		case "score", "metadata_modified", "metadata_created", "name", "title_string", "title", "id":
		default:
			return nil, ckanValidation("sort", fmt.Sprintf("不支持按 %q 排序 (unsupported sort field)", k.field))
		}
		keys = append(keys, k)
	}
	keys = append(keys, key{field: "metadata_modified", desc: true}, key{field: "name"})
	return func(a, b *store.DatasetSummary) int {
		for _, k := range keys {
			var c int
			switch k.field {
			case "score":
				continue
			case "metadata_modified":
				c = a.UpdatedAt.Compare(b.UpdatedAt)
			case "metadata_created":
				c = a.CreatedAt.Compare(b.CreatedAt)
			case "name", "id":
				c = cmp.Compare(a.ID, b.ID)
			default:
				c = cmp.Compare(a.Title, b.Title)
			}
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}, nil
}
