package checks

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"id", MaskID, "371302198709166578", "371302********6578"},
		{"id X", MaskID, "37132119551015628X", "371321********628X"},
		{"id 15", MaskID, "371302860206186", "371302*****6186"},
		{"id grouped", MaskID, "371302 19870916 6578", "371302 ******** 6578"},
		{"id full-width", MaskID, "３７１３０２１９８７０９１６６５７８", "３７１３０２********６５７８"},
		{"phone", MaskPhone, "13805391234", "138****1234"},
		{"phone groups", MaskPhone, "138 0539 1234", "138 **** 1234"},
		{"phone hyphens", MaskPhone, "138-0539-1234", "138-****-1234"},
		{"phone +86", MaskPhone, "+86 13805391234", "+86 138****1234"},
		{"phone 0086", MaskPhone, "008613805391234", "0086138****1234"},
		{"bank 16", MaskBank, "6217008441103982", "621700******3982"},
		{"bank 19", MaskBank, "6222020318508634520", "622202*********4520"},
		{"bank groups", MaskBank, "6222 0203 1850 8634 520", "6222 02** **** ***4 520"},
		{"too short to keep anything", MaskBank, "12345", "*****"},
		{"empty", MaskID, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.fn(c.in); got != c.want {
				t.Errorf("%q → %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestMaskKeep(t *testing.T) {
	for _, c := range []struct {
		keep MaskKeep
		in   string
		want string
	}{
		{MaskKeep{Head: 6, Tail: 4}, "371302198709166578", "371302********6578"},
		{MaskKeep{Head: 3, Tail: 4}, "371302198709166578", "371***********6578"},
		{MaskKeep{Head: 0, Tail: 0}, "371302198709166578", "******************"},
		{MaskKeep{Head: -1, Tail: 2}, "1234", "**34"},
		{MaskKeep{Head: 10, Tail: 10}, "371302198709166578", "******************"},
	} {
		if got := c.keep.Mask(c.in); got != c.want {
			t.Errorf("%+v.Mask(%q) = %q, want %q", c.keep, c.in, got, c.want)
		}
	}
}

// TestApplyMasks goes the review page's way: the gate finds, the offsets
// are characters, and one click masks every number of the body.
func TestApplyMasks(t *testing.T) {
	body := "经审核，现予公示：\n张某，身份证号371302198709166578，电话138 0539 1234；\n李某，银行卡号6217008441103982。机密★1年"
	g := New([]TextRule{NewIDRule(), NewPhoneRule(), NewBankRule(), NewSecretRule()}, nil)
	fs := g.Check(Document{Body: body})
	if len(fs) != 4 {
		t.Fatalf("findings: %+v", fs)
	}
	got := ApplyMasks(body, fs)
	want := "经审核，现予公示：\n张某，身份证号371302********6578，电话138 **** 1234；\n李某，银行卡号621700******3982。机密★1年"
	if got != want {
		t.Fatalf("masked:\n%s\nwant:\n%s", got, want)
	}
	// Masked, the text has no personal information left; the marking is
	// not a pii_* finding and stays for the reviewer to remove.
	left := g.Check(Document{Body: got})
	if len(left) != 1 || left[0].Rule != "secret_mark" {
		t.Errorf("after masking: %+v", left)
	}
	if again := ApplyMasks(got, left); again != got {
		t.Errorf("masking twice changed the text: %q", again)
	}
}

func TestApplyMasksSkips(t *testing.T) {
	text := "号码13805391234和13905391235"
	f := func(rule string, start, end int, txt, sugg string) Finding {
		return Finding{Rule: rule, Start: start, End: end, Text: txt, Suggestion: sugg}
	}
	for _, c := range []struct {
		name string
		fs   []Finding
		want string
	}{
		{"none", nil, text},
		{"one", []Finding{f("pii_phone", 2, 13, "13805391234", "138****1234")}, "号码138****1234和13905391235"},
		{"out of order", []Finding{
			f("pii_phone", 14, 25, "13905391235", "139****1235"),
			f("pii_phone", 2, 13, "13805391234", "138****1234"),
		}, "号码138****1234和139****1235"},
		{"stale text", []Finding{f("pii_phone", 2, 13, "13805391299", "138****1299")}, text},
		{"byte offsets by mistake", []Finding{f("pii_phone", 6, 17, "13805391234", "138****1234")}, text},
		{"not a pii rule", []Finding{f("typo", 2, 13, "13805391234", "x")}, text},
		{"no suggestion", []Finding{f("pii_phone", 2, 13, "13805391234", "")}, text},
		{"overlap", []Finding{
			f("pii_phone", 2, 13, "13805391234", "138****1234"),
			f("pii_bank", 2, 13, "13805391234", "X"),
		}, "号码138****1234和13905391235"},
		{"beyond the end", []Finding{f("pii_phone", 20, 40, "x", "y")}, text},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ApplyMasks(text, c.fs); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestMaskedSuggestionsAreClean: every suggestion the rules make, put in
// place of the number, is itself found by no rule — over the whole set.
func TestMaskedSuggestionsAreClean(t *testing.T) {
	rules := []TextRule{NewIDRule(), NewPhoneRule(), NewBankRule()}
	g := New(rules, nil)
	for _, c := range piiReadEvalSet(t, "eval_pii.jsonl") {
		fs := g.Check(Document{Body: c.Text})
		masked := ApplyMasks(c.Text, fs)
		if left := g.Check(Document{Body: masked}); len(left) > 0 {
			t.Errorf("line %d: after masking %q still has %q", c.Line, masked, left[0].Text)
		}
		if len(fs) > 0 && masked == c.Text {
			t.Errorf("line %d: nothing masked", c.Line)
		}
		if strings.Count(masked, "*") < 4*len(fs) {
			t.Errorf("line %d: masked too little: %q", c.Line, masked)
		}
	}
}
