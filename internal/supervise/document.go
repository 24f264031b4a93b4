package supervise

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gongkai/internal/auth"
	"gongkai/internal/docx"
)

// NoticeDocument is a supervision notice laid out as an official document
// (GB/T 9704): the 版头 (the issuer's mark in red, the document number and
// the red rule under them), the title, the addressee, the body in
// numbered parts, the signature and date, and an optional 抄送 line. The
// printable page and the Word file are both made from it, so they say
// the same.
type NoticeDocument struct {
	Issuer    string // 发文机关
	Number    string // 发文字号: 临政办督〔2026〕7号
	Title     string // 关于……的督办通知
	Addressee string // 主送机关, with its colon: 临沂市发展和改革委员会：
	Opening   string // the lead paragraph
	Sections  []DocumentSection
	Closing   string // 特此通知。
	Signature string // the issuer again, over the date
	Date      string // 2026年6月30日
	CC        string // 抄送, without the label; "" leaves the line out
}

// DocumentSection is one numbered part of the body: 一、存在的问题.
type DocumentSection struct {
	Heading    string
	Paragraphs []string
}

// DocumentOptions are what a notice's document takes besides the notice.
type DocumentOptions struct {
	// Issuer is the issuing body (the settings' Issuer).
	Issuer string
	// ColumnNames names the unit's columns by code, to name the columns a
	// fact concerns when its sentences do not already.
	ColumnNames map[string]string
	// CC is the 抄送 line's addressees.
	CC string
}

// titleSubject is what a notice is about, by rule, in its title.
var titleSubject = map[string]string{
	RuleSilent:  "政府信息公开目录长期未更新问题",
	RuleVolume:  "政府信息公开目录发布信息数量不足问题",
	RuleOverdue: "政府信息公开目录栏目超期未更新问题",
	RuleEmpty:   "政府信息公开目录存在空白栏目问题",
	RuleManual:  "政府信息公开工作有关问题",
}

// Document lays a notice out as an official document. It reads no clock
// and no store: the same notice always gives the same document.
func (n Notice) Document(o DocumentOptions) NoticeDocument {
	issuer := strings.TrimSpace(o.Issuer)
	if issuer == "" {
		issuer = DefaultSettings().Issuer
	}
	unit := n.UnitName
	if unit == "" {
		unit = n.Unit
	}
	subject := titleSubject[n.Rule]
	if subject == "" {
		subject = "政府信息公开工作有关问题"
	}
	d := NoticeDocument{
		Issuer:    issuer,
		Number:    n.Number,
		Title:     "关于" + unit + subject + "的督办通知",
		Addressee: unit + "：",
		Closing:   "特此通知。",
		Signature: issuer,
		Date:      DateCN(n.RaisedAt()),
		CC:        strings.TrimSpace(o.CC),
	}
	asOf := n.RaisedAt()
	if t, err := ParseAsOf(n.AsOf); err == nil {
		asOf = t
	}
	d.Opening = fmt.Sprintf("按照政府信息公开目录内容建设和监督考核的有关要求，%s对各单位政府信息公开目录的更新维护情况进行了检查。截至%s，发现你单位存在以下问题：",
		issuer, DateCN(asOf))

	var facts []string
	for _, f := range n.Breach.Facts {
		if f = strings.TrimSpace(f); f != "" {
			facts = append(facts, f)
		}
	}
	if len(facts) == 0 {
		facts = []string{RuleLabel(n.Rule) + "。"}
	}
	if len(facts) > 1 {
		for i, f := range facts {
			facts[i] = fmt.Sprintf("%s%s", ordinal(i+1), f)
		}
	}
	if cols := n.missingColumnNames(facts, o.ColumnNames); len(cols) > 0 {
		facts = append(facts, "涉及栏目："+strings.Join(cols, "、")+"。")
	}
	if n.Breach.Since != nil {
		facts = append(facts, fmt.Sprintf("上述问题自%s起超出规定的更新期限。", DateCN(*n.Breach.Since)))
	}
	d.Sections = append(d.Sections, DocumentSection{Heading: "一、存在的问题", Paragraphs: facts})

	req := strings.TrimSpace(n.Requirement)
	if req == "" {
		req = Requirement(n.DueAt())
	}
	d.Sections = append(d.Sections, DocumentSection{Heading: "二、整改要求", Paragraphs: []string{
		req,
		"书面检查须写明问题原因和整改措施，经单位主要负责同志签字并加盖公章；整改完成后请在后台报送整改情况，由" + issuer + "复核。",
	}})
	return d
}

// missingColumnNames names the columns of the breach that the facts do not
// name already (none when the names are unknown).
func (n Notice) missingColumnNames(facts []string, names map[string]string) []string {
	if len(n.Breach.Columns) == 0 || len(names) == 0 {
		return nil
	}
	all := strings.Join(facts, "")
	var out []string
	for _, code := range n.Breach.Columns {
		name := names[code]
		if name == "" {
			name = code
		}
		if !strings.Contains(all, name) {
			out = append(out, name)
		}
	}
	return out
}

// ordinal numbers a fact as the third level of an official document: 1．
func ordinal(i int) string { return fmt.Sprintf("%d．", i) }

// Paragraphs are the document's text in reading order, as the Word file
// holds it: what a test compares and a screen reader reads.
func (d NoticeDocument) Paragraphs() []string {
	out := []string{d.Issuer, d.Number, d.Title, d.Addressee, d.Opening}
	for _, s := range d.Sections {
		out = append(out, s.Heading)
		out = append(out, s.Paragraphs...)
	}
	out = append(out, d.Closing, d.Signature, d.Date)
	if d.CC != "" {
		out = append(out, "抄送："+d.CC)
	}
	return out
}

// textWidth is the official text block's width in points (156 mm).
const textWidth = 156 / 25.4 * 72

// IssuerSize is the issuer's mark's type size in points: 初号, or smaller
// so that a long name still fits on one line.
func (d NoticeDocument) IssuerSize() float64 {
	n := utf8.RuneCountInString(d.Issuer)
	if n == 0 {
		return docx.SizeChuHao
	}
	return min(docx.SizeChuHao, float64(int(textWidth*0.95/float64(n))))
}

// DOCX writes the document as a Word file.
func (d NoticeDocument) DOCX() ([]byte, error) {
	doc := &docx.Document{Title: d.Title, Author: d.Issuer, PageNumbers: true}
	// 版头: the issuer's mark in red, the number under it and the red rule.
	doc.Add(
		docx.Para{Align: docx.Center, Runs: []docx.Run{{Text: d.Issuer, Font: docx.XiaoBiaoSong, Size: d.IssuerSize(), Color: docx.Red}}},
		docx.Para{Align: docx.Center, SpaceBefore: 28, SpaceAfter: 4, RuleBelow: docx.Red, Runs: []docx.Run{{Text: d.Number}}},
		docx.Para{Align: docx.Center, SpaceBefore: 28, SpaceAfter: 14, Runs: []docx.Run{{Text: d.Title, Font: docx.XiaoBiaoSong, Size: docx.SizeErHao}}},
		docx.Para{Align: docx.Left, Runs: []docx.Run{{Text: d.Addressee}}},
	)
	doc.Text(d.Opening)
	for _, s := range d.Sections {
		doc.Heading(1, s.Heading)
		for _, p := range s.Paragraphs {
			doc.Text(p)
		}
	}
	// The signature keeps to the page of the body's last lines.
	doc.Add(
		docx.Para{Indent: 2, KeepNext: true, Runs: []docx.Run{{Text: d.Closing}}},
		docx.Para{Align: docx.Right, RightIndent: 4, SpaceBefore: 29, KeepNext: true, Runs: []docx.Run{{Text: d.Signature}}},
		docx.Para{Align: docx.Right, RightIndent: 4, Runs: []docx.Run{{Text: d.Date}}},
	)
	if d.CC != "" {
		doc.Add(docx.Para{Align: docx.Left, SpaceBefore: 29, RuleBelow: "000000", Runs: []docx.Run{{Text: "抄送：" + d.CC, Size: docx.SizeSiHao}}})
	}
	return doc.Bytes()
}

// FileName is the Word file's name: 临政办督〔2026〕7号督办通知.docx.
func (d NoticeDocument) FileName() string {
	return d.Number + "督办通知.docx"
}

// Document reads a notice for the caller and lays it out with the
// office's settings; the caller must be one who may read the notice.
func (s *Service) Document(ctx context.Context, c auth.Caller, id int64) (Notice, NoticeDocument, error) {
	n, err := s.Notice(ctx, c, id)
	if err != nil {
		return n, NoticeDocument{}, err
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return n, NoticeDocument{}, err
	}
	o := DocumentOptions{Issuer: set.Issuer}
	if len(n.Breach.Columns) > 0 {
		if tree, err := s.st.Tree(ctx, n.Unit); err == nil {
			o.ColumnNames = map[string]string{}
			for _, col := range tree {
				o.ColumnNames[col.Code] = col.Name
			}
		}
	}
	return n, n.Document(o), nil
}
