package console

import (
	"html"
	"sort"
	"strings"

	xhtml "golang.org/x/net/html"

	"gongkai/internal/checks"
)

// highlight marks every occurrence of the findings' texts in the text of
// a (sanitised) HTML body with <mark>, leaving tags and attributes alone:
// what the quality gate found stands out in the review preview. Only text
// nodes are touched, and what they hold is escaped again on the way out.
func highlight(body string, fs []checks.Finding) string {
	var needles []string
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Field == checks.FieldBody && f.Text != "" && !seen[f.Text] {
			seen[f.Text] = true
			needles = append(needles, f.Text)
		}
	}
	if len(needles) == 0 {
		return body
	}
	sort.Slice(needles, func(i, j int) bool { return len(needles[i]) > len(needles[j]) })
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			b.WriteString(markText(string(z.Text()), needles))
		default:
			b.Write(z.Raw())
		}
	}
}

// markText escapes a text node and wraps the needles found in it.
func markText(text string, needles []string) string {
	var b strings.Builder
	for len(text) > 0 {
		at, which := -1, ""
		for _, n := range needles {
			if i := strings.Index(text, n); i >= 0 && (at < 0 || i < at) {
				at, which = i, n
			}
		}
		if at < 0 {
			b.WriteString(html.EscapeString(text))
			break
		}
		b.WriteString(html.EscapeString(text[:at]))
		b.WriteString(`<mark class="finding">`)
		b.WriteString(html.EscapeString(which))
		b.WriteString(`</mark>`)
		text = text[at+len(which):]
	}
	return b.String()
}
