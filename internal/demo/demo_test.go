package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Small sizes keep the suite fast while still touching every column,
// unit, variant and dataset.
var testOptions = Options{
	Seed:        42,
	Entries:     800,
	DatasetRows: 3000,
	Attachments: true,
	Now:         time.Date(2026, 3, 10, 15, 4, 5, 0, cst),
}

// testCases are the option sets every validation runs against: a regular
// small catalog, and a tiny one whose "today" is a few weeks after the
// catalog starts.
var testCases = []struct {
	name string
	opt  Options
}{
	{"regular", testOptions},
	{"tiny-early", Options{Seed: 3, Entries: 60, DatasetRows: 40, Attachments: true, Now: time.Date(2018, 3, 15, 9, 30, 0, 0, cst)}},
}

type genResult struct {
	dir string
	m   Manifest
	err error
}

var (
	genMu    sync.Mutex
	genCache = map[string]*genResult{}
	genRoot  string
)

// generated returns the output of one Generate run per test case, shared
// by the tests.
func generated(t *testing.T, name string, opt Options) (string, Manifest) {
	t.Helper()
	genMu.Lock()
	defer genMu.Unlock()
	res := genCache[name]
	if res == nil {
		res = &genResult{}
		if genRoot == "" {
			genRoot, res.err = os.MkdirTemp("", "gongkai-demo-")
		}
		if res.err == nil {
			res.dir = filepath.Join(genRoot, name)
			res.m, res.err = Generate(context.Background(), res.dir, opt)
		}
		genCache[name] = res
	}
	if res.err != nil {
		t.Fatalf("Generate: %v", res.err)
	}
	return res.dir, res.m
}

// forEachCase runs check as a subtest for every test case.
func forEachCase(t *testing.T, check func(t *testing.T, dir string, m Manifest, opt Options)) {
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			dir, m := generated(t, tc.name, tc.opt)
			check(t, dir, m, tc.opt)
		})
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if genRoot != "" {
		os.RemoveAll(genRoot)
	}
	os.Exit(code)
}

// readLines decodes every line of a JSONL file into a generic map, keeping
// numbers as json.Number.
func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s line %d: %v", filepath.Base(path), n, err)
		}
		if !utf8.Valid(sc.Bytes()) {
			t.Fatalf("%s line %d: invalid UTF-8", filepath.Base(path), n)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func strs(m map[string]any, k string) []string {
	raw, _ := m[k].([]any)
	var out []string
	for _, v := range raw {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// The 40 units of the shared sample, which the demo must contain.
var sampleUnitCodes = strings.Fields(`zfb fgw jyj kjj gxj gaj mzj sfj czj rsj zrzyj sthjj zjj jtj slj nyj swj wlj wjw
	tyjrj yjj sjj cgj xfj gzw scjgj tjj ybj spj dsjj tyj rfb jrj gjj gxq jkq lgq scq msq zbq`)

var committees = []string{
	"临沂高新技术产业开发区管委会", "临沂经济技术开发区管委会", "临沂临港经济开发区管委会",
	"临沂商城管委会", "临沂蒙山旅游度假区管委会", "临沂综合保税区管委会",
}

func TestUnits(t *testing.T) { forEachCase(t, checkUnits) }

func checkUnits(t *testing.T, dir string, m Manifest, _ Options) {
	lines := readLines(t, filepath.Join(dir, "units.jsonl"))
	if len(lines) < 38 || len(lines) != m.Units {
		t.Fatalf("%d unit lines, manifest %d", len(lines), m.Units)
	}
	codeRe := regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	codes, names := map[string]bool{}, map[string]bool{}
	for _, u := range lines {
		code := str(u, "code")
		if !codeRe.MatchString(code) || codes[code] {
			t.Errorf("bad or duplicate unit code %q", code)
		}
		codes[code] = true
		names[str(u, "name")] = true
		switch str(u, "kind") {
		case "部门", "直属机构", "管委会", "其他":
		default:
			t.Errorf("%s: kind %q", code, str(u, "kind"))
		}
		if oc := str(u, "org_code"); !validCreditCode(oc) {
			t.Errorf("%s: org_code %q fails GB 32100", code, oc)
		}
	}
	for _, c := range sampleUnitCodes {
		if !codes[c] {
			t.Errorf("sample unit %s missing", c)
		}
	}
	for _, n := range committees {
		if !names[n] {
			t.Errorf("committee %s missing", n)
		}
	}
}

var (
	idRe    = regexp.MustCompile(`^([a-z0-9]+)-(\d{4})-(\d{4,})$`)
	docNoRe = regexp.MustCompile(`^临\p{Han}+〔(\d{4})〕(\d+)号$`)
	tagRe   = regexp.MustCompile(`<[^>]*>`)
)

var leafCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range leafColumns {
		m[c.Code] = true
	}
	return m
}()

func visibleText(e map[string]any) string {
	if b := str(e, "body_html"); b != "" {
		return html.UnescapeString(tagRe.ReplaceAllString(b, ""))
	}
	return str(e, "body_text")
}

func TestEntries(t *testing.T) { forEachCase(t, checkEntries) }

func checkEntries(t *testing.T, dir string, m Manifest, opt Options) {
	lines := readLines(t, filepath.Join(dir, "entries.jsonl"))
	if len(lines) != opt.Entries || m.Entries != len(lines) {
		t.Fatalf("%d entry lines, manifest %d, want %d", len(lines), m.Entries, opt.Entries)
	}
	units := map[string]bool{}
	for _, u := range readLines(t, filepath.Join(dir, "units.jsonl")) {
		units[str(u, "code")] = true
	}
	topicSet := map[string]bool{}
	for _, tp := range topics {
		topicSet[tp] = true
	}

	byID := map[string]map[string]any{}
	usedUnits, usedCols := map[string]bool{}, map[string]bool{}
	var withdrawn, drafts, texts int
	start := catalogStart
	for n, e := range lines {
		id := str(e, "id")
		where := "line " + strconv.Itoa(n+1) + " (" + id + ")"
		for _, k := range []string{"id", "unit", "column", "title", "topic", "doc_type", "summary", "five_publics", "status", "written_at"} {
			if str(e, k) == "" {
				t.Errorf("%s: missing %s", where, k)
			}
		}
		mm := idRe.FindStringSubmatch(id)
		if mm == nil || mm[1] != str(e, "unit") || len(id) > 64 {
			t.Errorf("%s: id does not match <unit>-<year>-<serial>", where)
		}
		if byID[id] != nil {
			t.Errorf("%s: duplicate id", where)
		}
		byID[id] = e
		if !units[str(e, "unit")] {
			t.Errorf("%s: unknown unit", where)
		}
		usedUnits[str(e, "unit")] = true
		if !leafCodes[str(e, "column")] {
			t.Errorf("%s: column %q is not a leaf column", where, str(e, "column"))
		}
		usedCols[str(e, "column")] = true
		if !topicSet[str(e, "topic")] {
			t.Errorf("%s: topic %q", where, str(e, "topic"))
		}
		switch str(e, "five_publics") {
		case "决策", "执行", "管理", "服务", "结果":
		default:
			t.Errorf("%s: five_publics %q", where, str(e, "five_publics"))
		}
		switch v := str(e, "validity"); v {
		case "", "有效", "失效", "废止":
		default:
			t.Errorf("%s: validity %q", where, v)
		}
		if kw := strs(e, "keywords"); len(kw) < 1 || len(kw) > 4 {
			t.Errorf("%s: %d keywords", where, len(kw))
		}

		written, err := time.ParseInLocation(time.DateOnly, str(e, "written_at"), cst)
		if err != nil {
			t.Errorf("%s: written_at: %v", where, err)
		}
		status := str(e, "status")
		switch status {
		case "published", "withdrawn":
			if status == "withdrawn" {
				withdrawn++
			}
			pub, err := time.Parse(time.RFC3339, str(e, "published_at"))
			if err != nil || !strings.HasSuffix(str(e, "published_at"), "+08:00") {
				t.Errorf("%s: published_at %q", where, str(e, "published_at"))
				break
			}
			if pub.Before(start) || pub.After(opt.Now) {
				t.Errorf("%s: published_at %s out of range", where, pub)
			}
			if strconv.Itoa(pub.In(cst).Year()) != mm[2] {
				t.Errorf("%s: id year differs from publication year", where)
			}
			if written.After(pub) {
				t.Errorf("%s: written after published", where)
			}
		case "draft":
			drafts++
			if _, ok := e["published_at"]; ok {
				t.Errorf("%s: draft with published_at", where)
			}
		default:
			t.Errorf("%s: status %q", where, status)
		}

		hasHTML, hasText := str(e, "body_html") != "", str(e, "body_text") != ""
		if hasHTML == hasText {
			t.Errorf("%s: want exactly one of body_html and body_text", where)
		}
		if hasText {
			texts++
		}
		lower := strings.ToLower(str(e, "body_html"))
		if strings.Contains(lower, "<script") || strings.Contains(lower, " on") || strings.Contains(lower, "javascript:") {
			t.Errorf("%s: body is not clean", where)
		}
		if n := utf8.RuneCountInString(visibleText(e)); n < 300 || n > 2000 {
			t.Errorf("%s: body has %d characters", where, n)
		}
		if dn := str(e, "doc_no"); dn != "" {
			dm := docNoRe.FindStringSubmatch(dn)
			if dm == nil {
				t.Errorf("%s: doc_no %q", where, dn)
			} else if dm[1] != mm[2] {
				t.Errorf("%s: doc_no year %s differs from id year", where, dm[1])
			}
		}
	}

	for code := range leafCodes {
		if !usedCols[code] {
			t.Errorf("column %s has no entries", code)
		}
	}
	for code := range units {
		if !usedUnits[code] {
			t.Errorf("unit %s has no entries", code)
		}
	}
	if withdrawn == 0 || withdrawn != m.Withdrawn || drafts == 0 || drafts != m.Drafts {
		t.Errorf("withdrawn %d (manifest %d), drafts %d (manifest %d)", withdrawn, m.Withdrawn, drafts, m.Drafts)
	}
	if share := float64(texts) / float64(len(lines)); len(lines) >= 500 && (share < 0.04 || share > 0.18) {
		t.Errorf("body_text share %.2f, want about 0.10", share)
	}

	// Interpretations point at earlier policy documents of the same unit.
	interps := 0
	for _, e := range lines {
		if str(e, "column") != "zcjd" {
			if len(strs(e, "related")) > 0 {
				t.Errorf("%s: related outside zcjd", str(e, "id"))
			}
			continue
		}
		interps++
		if !contains(interpretationForms, str(e, "form")) {
			t.Errorf("%s: form %q", str(e, "id"), str(e, "form"))
		}
		rel := strs(e, "related")
		if len(rel) != 1 {
			t.Errorf("%s: related %v", str(e, "id"), rel)
			continue
		}
		p := byID[rel[0]]
		if p == nil {
			t.Errorf("%s: related %s does not exist", str(e, "id"), rel[0])
			continue
		}
		if c := str(p, "column"); c != "zcwj" && c != "gfxwj" {
			t.Errorf("%s: related %s is in %s", str(e, "id"), rel[0], c)
		}
		if str(p, "unit") != str(e, "unit") || str(p, "status") == "draft" || str(p, "published_at") >= str(e, "published_at") {
			t.Errorf("%s: related %s is not an earlier policy of the same unit", str(e, "id"), rel[0])
		}
	}
	if interps == 0 {
		t.Error("no interpretations")
	}
}

// TestPlanAtDefaultSize checks the properties that need the full catalog:
// enough policy interpretations and one annual report per unit and year.
func TestPlanAtDefaultSize(t *testing.T) {
	plan := planEntries(DefaultSeed, DefaultEntries, testOptions.Now)
	if len(plan) != DefaultEntries {
		t.Fatalf("planned %d entries", len(plan))
	}
	interps := 0
	reports := map[string]bool{}
	serials := map[string]int{}
	for i := range plan {
		e := &plan[i]
		if e.col == colZcjd {
			interps++
		}
		if e.col == colGknb {
			key := e.u().Code + strconv.Itoa(e.param)
			if reports[key] {
				t.Errorf("two annual reports for %s", key)
			}
			reports[key] = true
			if e.at.Month() != time.January || e.at.Year() != e.param+1 {
				t.Errorf("%s: annual report for %d published %s", e.id, e.param, e.at)
			}
		}
		if e.docNo != "" {
			dm := docNoRe.FindStringSubmatch(e.docNo)
			key := e.u().Code + e.docKind + dm[1]
			n, _ := strconv.Atoi(dm[2])
			if n <= serials[key] {
				t.Errorf("%s: 文号 %s does not increase", e.id, e.docNo)
			}
			serials[key] = n
		}
	}
	if interps < 300 {
		t.Errorf("%d interpretations, want at least 300", interps)
	}
}

// readTree returns every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	dir, _ := generated(t, "regular", testOptions)
	again := t.TempDir()
	if _, err := Generate(context.Background(), again, testOptions); err != nil {
		t.Fatal(err)
	}
	a, b := readTree(t, dir), readTree(t, again)
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}

	other := t.TempDir()
	opt := testOptions
	opt.Seed++
	if _, err := Generate(context.Background(), other, opt); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(readTree(t, other)["entries.jsonl"], a["entries.jsonl"]) {
		t.Error("a different seed gives the same entries")
	}
}

// Attachment files are an option; the entries themselves must not change.
func TestWithoutAttachments(t *testing.T) {
	dir, _ := generated(t, "regular", testOptions)
	plain := t.TempDir()
	opt := testOptions
	opt.Attachments = false
	m, err := Generate(context.Background(), plain, opt)
	if err != nil {
		t.Fatal(err)
	}
	if m.Attachments != 0 {
		t.Errorf("manifest counts %d attachments", m.Attachments)
	}
	if names, _ := os.ReadDir(filepath.Join(plain, "files")); len(names) != 0 {
		t.Errorf("%d files written", len(names))
	}
	with := readLines(t, filepath.Join(dir, "entries.jsonl"))
	without := readLines(t, filepath.Join(plain, "entries.jsonl"))
	for i := range with {
		delete(with[i], "attachments")
		a, _ := json.Marshal(with[i])
		b, _ := json.Marshal(without[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("entry %s differs without attachments", str(with[i], "id"))
		}
	}
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration // cancel this long after the start; 0: before
	}{
		{"before start", 0},
		{"while writing", 30 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.after == 0 {
				cancel()
			} else {
				time.AfterFunc(tt.after, cancel)
			}
			// Full size, so the run is still going when the cancel comes.
			_, err := Generate(ctx, t.TempDir(), Options{Attachments: true, Now: testOptions.Now})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Generate: %v, want context.Canceled", err)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
	}{
		{"negative entries", Options{Entries: -1, Now: testOptions.Now}},
		{"negative rows", Options{DatasetRows: -5, Now: testOptions.Now}},
		{"now before the catalog", Options{Now: time.Date(2017, 6, 1, 0, 0, 0, 0, cst)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Generate(context.Background(), t.TempDir(), tt.opt); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(context.Background(), b.TempDir(), Options{Entries: 20000, Now: testOptions.Now}); err != nil {
			b.Fatal(err)
		}
	}
}
