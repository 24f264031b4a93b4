package checks

// Part is one located piece of an attachment's text: a paragraph, a
// sheet's cell range or a page.
type Part struct {
	Label string // e.g. "第3段", "Sheet1", "第2页"
	Text  string
}

// Attachment is the text extracted from one attachment.
type Attachment struct {
	Name  string
	Parts []Part
}

// Document is what the gate checks: an entry's texts and metadata.
type Document struct {
	Title       string
	Summary     string
	Body        string // the body's plain text (sanitize.Policy.Text of the HTML)
	Unit        string
	Column      string
	DocNo       string
	WrittenAt   string
	Validity    string
	Related     []string
	Form        string
	Attachments []Attachment
}

// MetaRule checks an entry's metadata as a whole (required fields, column
// fit), not a piece of text.
type MetaRule interface {
	ID() string
	CheckDocument(d Document) []Finding
}

// Gate runs a set of rules.
type Gate struct {
	text []TextRule
	meta []MetaRule
}

// New returns a gate over the given rules.
func New(text []TextRule, meta []MetaRule) *Gate { return &Gate{text: text, meta: meta} }

// Check runs every rule over every text of d and returns the findings in
// document order.
func (g *Gate) Check(d Document) []Finding {
	out := []Finding{}
	run := func(text, field, file, part string) {
		if text == "" {
			return
		}
		for _, r := range g.text {
			for _, m := range r.Check(text) {
				out = append(out, finding(r.ID(), m, text, field, file, part))
			}
		}
	}
	run(d.Title, FieldTitle, "", "")
	run(d.Summary, FieldSummary, "", "")
	run(d.Body, FieldBody, "", "")
	for _, a := range d.Attachments {
		for _, p := range a.Parts {
			run(p.Text, FieldAttachment, a.Name, p.Label)
		}
	}
	for _, r := range g.meta {
		out = append(out, r.CheckDocument(d)...)
	}
	sortFindings(out)
	return out
}

// TextRules are the gate's text rules, for evaluation.
func (g *Gate) TextRules() []TextRule { return g.text }
