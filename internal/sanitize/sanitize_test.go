package sanitize

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	p := New()
	tests := []struct {
		name string
		in   string
		keep []string
		drop []string
	}{
		{"script", `<p>正文</p><script>alert(1)</script>`, []string{"<p>正文</p>"}, []string{"script", "alert"}},
		{"handlers", `<p onclick="x()" onmouseover="y()">段落</p>`, []string{"<p>段落</p>"}, []string{"onclick", "onmouseover"}},
		{"javascript link", `<a href="javascript:alert(1)">链接</a>`, []string{"链接"}, []string{"javascript"}},
		{"table", `<table><thead><tr><th scope="col">项目</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table>`, []string{"<table>", `<th scope="col">`, `<td colspan="2">`}, nil},
		{"indent and align", `<p style="text-indent:2em;color:red">缩进</p><p style="text-align:right">落款</p>`, []string{"text-indent: 2em", "text-align: right"}, []string{"color"}},
		{"external link", `<a href="https://www.linyi.gov.cn/x">市政府</a>`, []string{`href="https://www.linyi.gov.cn/x"`, `target="_blank"`}, nil},
		{"iframe and style", `<iframe src="https://x"></iframe><style>p{}</style><p>留下</p>`, []string{"<p>留下</p>"}, []string{"iframe", "<style"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := p.HTML(tc.in)
			for _, k := range tc.keep {
				if !strings.Contains(got, k) {
					t.Errorf("lost %q: %s", k, got)
				}
			}
			for _, d := range tc.drop {
				if strings.Contains(got, d) {
					t.Errorf("kept %q: %s", d, got)
				}
			}
		})
	}
}

func TestText(t *testing.T) {
	got := New().Text(`<p>第一段&amp;说明</p><p>第二段</p><table><tr><td>甲</td><td>乙</td></tr></table>`)
	want := "第一段&说明\n第二段\n甲\t乙"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
