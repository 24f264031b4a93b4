package indexer

import (
	"testing"

	"gongkai/internal/sanitize"
)

// TestHTMLTextMatchesPolicyText: the index reads bodies as the rest of the
// system does (sanitize.Policy.Text), only faster.
func TestHTMLTextMatchesPolicyText(t *testing.T) {
	p := sanitize.New()
	for _, body := range []string{
		`<p>各县区人民政府：</p><p>现将有关事项通知如下。</p>`,
		`<p>第一行<br>第二行<br/>第三行</p>`,
		`<table><thead><tr><th>项目</th><th>金额</th></tr></thead><tbody><tr><td>房租</td><td>1,200</td></tr></tbody></table>`,
		`<h2>标题</h2><ul><li>一</li><li>二</li></ul><blockquote>引文</blockquote>`,
		`<p>A &amp; B &lt;c&gt; &nbsp;&#x4E2D;</p>`,
		`<p style="text-indent:2em">　　全角空格开头</p>  <div> 段落 </div>`,
		`<p><strong>加粗</strong>与<a href="https://example.org/">链接</a></p>`,
		"纯文本\n没有标签",
		``,
	} {
		stored := p.HTML(body)
		if want, got := p.Text(stored), htmlText(stored); got != want {
			t.Errorf("htmlText(%q)\n got %q\nwant %q", stored, got, want)
		}
	}
}
