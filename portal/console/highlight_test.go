package console

import (
	"testing"

	"gongkai/internal/checks"
)

func TestHighlight(t *testing.T) {
	f := func(text string) checks.Finding { return checks.Finding{Field: checks.FieldBody, Text: text} }
	tests := []struct {
		name, body string
		fs         []checks.Finding
		want       string
	}{
		{"a number in a paragraph", `<p>身份证号 370102199001011234 已登记</p>`, []checks.Finding{f("370102199001011234")},
			`<p>身份证号 <mark class="finding">370102199001011234</mark> 已登记</p>`},
		{"attributes are left alone", `<p><a href="https://x.cn/13805391234">13805391234</a></p>`, []checks.Finding{f("13805391234")},
			`<p><a href="https://x.cn/13805391234"><mark class="finding">13805391234</mark></a></p>`},
		{"text stays escaped", `<p>a &lt;b&gt; 13805391234 &amp; c</p>`, []checks.Finding{f("13805391234")},
			`<p>a &lt;b&gt; <mark class="finding">13805391234</mark> &amp; c</p>`},
		{"only body findings", `<p>13805391234</p>`, []checks.Finding{{Field: checks.FieldTitle, Text: "13805391234"}}, `<p>13805391234</p>`},
		{"twice in a table cell", `<table><tr><td>截止 截止</td></tr></table>`, []checks.Finding{f("截止")},
			`<table><tr><td><mark class="finding">截止</mark> <mark class="finding">截止</mark></td></tr></table>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := highlight(tc.body, tc.fs); got != tc.want {
				t.Errorf("highlight =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
