// Package sanitize makes entry bodies safe to store and show: an allow-list
// of the HTML that official documents use (paragraphs, headings, lists,
// tables, links, images, simple alignment), and nothing that runs.
package sanitize

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Policy sanitises entry bodies. It is safe for concurrent use.
type Policy struct{ p, strict *bluemonday.Policy }

// New builds the body policy.
func New() *Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "u", "sub", "sup")
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^[0-9]{1,3}$`)).OnElements("td", "th")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col|rowgroup|colgroup)$`)).OnElements("th")
	// Official documents indent and align paragraphs; nothing else of CSS.
	p.AllowStyles("text-align").MatchingEnum("left", "right", "center", "justify").OnElements("p", "div", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowStyles("text-indent").Matching(regexp.MustCompile(`^[0-9.]{1,5}(em|px|pt|%)$`)).OnElements("p", "div")
	p.RequireNoFollowOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("http", "https", "mailto")
	return &Policy{p: p, strict: bluemonday.StrictPolicy()}
}

// HTML returns body with everything outside the allow-list removed.
func (p *Policy) HTML(body string) string {
	return strings.TrimSpace(p.p.Sanitize(body))
}

var (
	blockEnd = regexp.MustCompile(`(?i)</(p|div|h[1-6]|li|tr|table|blockquote)>|<br\s*/?>`)
	cellEnd  = regexp.MustCompile(`(?i)</t[dh]>`)
	spaces   = regexp.MustCompile(`[ \t\x{3000}]*\n[ \t\n\x{3000}]*`)
)

// Text returns the readable text of an HTML body: tags dropped, entities
// decoded, one line per block. Search and the quality checks read this.
func (p *Policy) Text(body string) string {
	s := blockEnd.ReplaceAllString(body, "$0\n")
	s = cellEnd.ReplaceAllString(s, "$0\t")
	s = p.strict.Sanitize(s)
	s = html.UnescapeString(s)
	return strings.TrimSpace(spaces.ReplaceAllString(s, "\n"))
}
