package demo

import (
	"bufio"
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// entryLine is one line of entries.jsonl, in the contract's field order.
type entryLine struct {
	ID          string          `json:"id"`
	Unit        string          `json:"unit"`
	Column      string          `json:"column"`
	Title       string          `json:"title"`
	DocNo       string          `json:"doc_no,omitempty"`
	WrittenAt   string          `json:"written_at,omitempty"`
	PublishedAt string          `json:"published_at,omitempty"`
	Topic       string          `json:"topic"`
	DocType     string          `json:"doc_type"`
	Validity    string          `json:"validity,omitempty"`
	Keywords    []string        `json:"keywords"`
	Summary     string          `json:"summary"`
	FivePublics string          `json:"five_publics"`
	Form        string          `json:"form,omitempty"`
	BodyHTML    string          `json:"body_html,omitempty"`
	BodyText    string          `json:"body_text,omitempty"`
	Attachments []attachmentRef `json:"attachments,omitempty"`
	Related     []string        `json:"related,omitempty"`
	Status      string          `json:"status"`
}

type attachmentRef struct {
	Name string `json:"name"`
	File string `json:"file"`
}

// writeEntries streams entries.jsonl: each entry's body (and attachment
// files) is generated, written and dropped before the next.
func writeEntries(ctx context.Context, w *bufio.Writer, dir string, plan []plannedEntry, opt Options, m *Manifest) error {
	enc := newLineEncoder(w)
	files := newAttachmentWriter(ctx, dir)
	defer files.abort()
	needles := newNeedlePlanter(opt.Seed)
	for i := range plan {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := &plan[i]
		c := &entryCtx{r: newRand(opt.Seed, "entry:"+e.id), e: e, u: e.u(), all: plan}
		c.subj, _ = c.u.subject(int(e.subject))
		useText := chance(c.r, 10)
		b := buildBody(c)

		line := entryLine{
			ID: e.id, Unit: c.u.Code, Column: leafColumns[e.col].Code, Title: e.title,
			DocNo: e.docNo, WrittenAt: e.written.Format(time.DateOnly),
			Topic: e.topic, DocType: e.docType, Validity: e.validity,
			Keywords: keywords(c), Summary: summary(b), FivePublics: e.five,
			Status: e.status.String(),
		}
		if e.status != statusDraft {
			line.PublishedAt = e.at.Format(time.RFC3339)
		}
		if e.col == colZcjd {
			line.Form = interpretationForms[e.form]
			line.Related = []string{plan[e.related].id}
		}
		var specs []attachmentSpec
		if opt.Attachments {
			specs = planAttachments(newRand(opt.Seed, "attach:"+e.id), c, b)
		}
		needles.plant(c, b, specs, line.Keywords, line.Summary)
		if useText {
			line.BodyText = b.text()
		} else {
			line.BodyHTML = b.html()
		}
		if opt.Attachments {
			for _, s := range specs {
				line.Attachments = append(line.Attachments, attachmentRef{Name: s.name, File: s.file})
				if err := files.submit(s); err != nil {
					return err
				}
			}
			m.Attachments += len(specs)
		}
		if err := enc.Encode(&line); err != nil {
			return err
		}
		m.Entries++
		switch e.status {
		case statusWithdrawn:
			m.Withdrawn++
		case statusDraft:
			m.Drafts++
		}
	}
	return files.wait()
}

// summary takes the first substantive paragraph: not a salutation, not a
// heading-like line, shortened to its first sentences.
func summary(b *body) string {
	for i := range b.blocks {
		bl := &b.blocks[i]
		if bl.kind != blockPara {
			continue
		}
		t := bl.text
		if strings.HasSuffix(t, "：") {
			// "…。具体情况如下：" — keep the sentences before the colon.
			i := strings.LastIndex(t, "。")
			if i < 0 {
				continue
			}
			t = t[:i+len("。")]
		}
		if utf8.RuneCountInString(t) < 24 || strings.HasPrefix(t, "登记编号") {
			continue
		}
		return clip(t, 150)
	}
	return clip(b.firstText(), 150)
}

// clip shortens s to at most n runes, preferably at a full stop.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)[:n]
	cut := strings.LastIndex(string(rs), "。")
	if cut > 0 {
		return string(rs)[:cut+len("。")]
	}
	return string(rs) + "…"
}

// keywords returns one to four keywords: the subject and a word for the
// kind of document, the way editors tag entries.
func keywords(c *entryCtx) []string {
	e := c.e
	var kw []string
	add := func(ws ...string) {
		for _, w := range ws {
			if w != "" && len(kw) < 4 && !contains(kw, w) {
				kw = append(kw, w)
			}
		}
	}
	switch e.col {
	case colZyzz:
		add("主要职责", "职能配置")
	case colGkzn:
		add("信息公开指南", "依申请公开")
	case colGknb:
		add("年度报告", "政府信息公开")
	case colGkzd:
		add("政务公开", "制度")
	case colLdfg:
		add("领导分工", "领导班子")
	case colJgsz:
		add("机构设置", "内设机构")
	case colQlqd:
		add(e.name, "行政权力")
	case colTzgg:
		add(c.subj, []string{"培训", "专项检查", "会议", "公示", "报送", "通告", "公开招聘", "回头看"}[e.variant])
	case colZcwj, colGfxwj:
		add(c.subj, e.docType)
		if e.col == colGfxwj {
			add("规范性文件")
		}
	case colZcjd:
		add(c.subj, "政策解读", interpretationForms[e.form])
	case colJhzj:
		add("工作计划", "工作总结")
	case colGhjh:
		add(c.subj, "规划")
	case colTjsj:
		add("统计数据")
		if e.param < len(c.u.Indicators) {
			name, _, _ := strings.Cut(c.u.Indicators[e.param], "/")
			add(name)
		}
	case colCzzj:
		add("财政资金", c.subj)
	case colZdxm:
		add("重大建设项目", e.name)
	case colGgzy:
		add("公共资源", "政府采购", e.name)
	case colGgfw:
		add("便民服务", e.name)
	case colYjzj:
		add("征求意见", c.subj)
	case colZwft:
		add("政务访谈", c.subj)
	case colYjgl:
		add("应急管理", e.name)
	}
	return kw
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
