package checks

import (
	"sort"
	"unicode/utf8"
)

// Severity says whether a finding stops a submission.
type Severity string

// Severities.
const (
	Blocking Severity = "blocking" // stops the submission unless an approver overrides it with a reason
	Warning  Severity = "warning"  // shown, does not stop anything
)

// Fields a finding can be in.
const (
	FieldTitle      = "title"
	FieldSummary    = "summary"
	FieldBody       = "body"
	FieldAttachment = "attachment"
	FieldMetadata   = "metadata" // a missing or wrong metadata field; Part names it
)

// Finding is one thing the gate found.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Field    string   `json:"field"`
	// File and Part say where in an attachment ("通知.docx", "第3段",
	// "Sheet1!B4", "第2页"); Part names the metadata field for FieldMetadata.
	File string `json:"file,omitempty"`
	Part string `json:"part,omitempty"`
	Text string `json:"text"`
	// Start and End are offsets in characters (not bytes) of the field's
	// plain text (or of the attachment part's text).
	Start      int    `json:"start"`
	End        int    `json:"end"`
	Suggestion string `json:"suggestion,omitempty"`
}

// Match is what a text rule reports: a span of the text in bytes.
type Match struct {
	Start, End int // byte offsets into the text checked
	Severity   Severity
	Message    string
	Suggestion string
}

// TextRule finds problems in a piece of plain text. Implementations are
// safe for concurrent use.
type TextRule interface {
	ID() string
	Check(text string) []Match
}

// finding turns a rule's byte match into a finding with character offsets.
func finding(rule string, m Match, text string, field, file, part string) Finding {
	start := utf8.RuneCountInString(text[:m.Start])
	end := start + utf8.RuneCountInString(text[m.Start:m.End])
	return Finding{Rule: rule, Severity: m.Severity, Message: m.Message, Field: field, File: file, Part: part,
		Text: text[m.Start:m.End], Start: start, End: end, Suggestion: m.Suggestion}
}

// HasBlocking reports whether any finding blocks a submission.
func HasBlocking(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Blocking {
			return true
		}
	}
	return false
}

// sortFindings orders findings by where they are, then by rule.
func sortFindings(fs []Finding) {
	order := map[string]int{FieldMetadata: 0, FieldTitle: 1, FieldSummary: 2, FieldBody: 3, FieldAttachment: 4}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if order[a.Field] != order[b.Field] {
			return order[a.Field] < order[b.Field]
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Part != b.Part {
			return a.Part < b.Part
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.Rule < b.Rule
	})
}
