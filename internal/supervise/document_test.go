package supervise_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/extract"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

// notice builds a notice as the service hands it out, without a store.
func notice(rule string, b supervise.Breach, raised, due time.Time) supervise.Notice {
	facts, _ := json.Marshal(b)
	n := supervise.Notice{Notice: store.Notice{ID: 7, Year: 2026, Seq: 7, Number: "临政办督〔2026〕7号", Unit: "fgw", Rule: rule,
		State: store.NoticeOpen, Facts: string(facts), Requirement: supervise.Requirement(due), AsOf: supervise.Day(raised).Format("2006-01-02"),
		RaisedAtMS: store.Millis(raised), DueAtMS: store.Millis(due)}, UnitName: "临沂市发展和改革委员会", Breach: b}
	return n
}

func TestNoticeDocument(t *testing.T) {
	raised := day("2026-06-30")
	due := supervise.EndOfDay(raised.AddDate(0, 0, 15))
	since := supervise.Day(raised).AddDate(0, 0, -20)
	cases := []struct {
		name     string
		rule     string
		breach   supervise.Breach
		opts     supervise.DocumentOptions
		title    string
		want     []string // in the body, in this order
		mustNot  []string
		sections int
	}{
		{
			name:   "silent, one fact and since when",
			rule:   supervise.RuleSilent,
			breach: supervise.Breach{Rule: supervise.RuleSilent, Since: &since, Facts: []string{"自2026年5月30日最近一次发布信息以来，已连续 31 天未在政府信息公开目录发布信息，超过 30 天的更新要求。"}},
			title:  "关于临沂市发展和改革委员会政府信息公开目录长期未更新问题的督办通知",
			want: []string{"自2026年5月30日最近一次发布信息以来，已连续 31 天", "上述问题自2026年6月10日起超出规定的更新期限。",
				"于2026年7月15日前", "书面检查", "限时整改"},
			mustNot: []string{"1．", "抄送"},
		},
		{
			name: "overdue columns, named by the facts already",
			rule: supervise.RuleOverdue,
			breach: supervise.Breach{Rule: supervise.RuleOverdue, Columns: []string{"tzgg", "zcwj"}, Since: &since,
				Facts: []string{"2 个栏目超过更新周期未更新：通知公告（最近一次发布于2025年12月1日）、政策文件（最近一次发布于2025年11月2日）。"}},
			opts:    supervise.DocumentOptions{ColumnNames: map[string]string{"tzgg": "通知公告", "zcwj": "政策文件"}, CC: "市政府督查室"},
			title:   "关于临沂市发展和改革委员会政府信息公开目录栏目超期未更新问题的督办通知",
			want:    []string{"通知公告（最近一次发布于2025年12月1日）", "政策文件（最近一次发布于2025年11月2日）", "2026年7月15日", "抄送：市政府督查室"},
			mustNot: []string{"涉及栏目"},
		},
		{
			name: "by hand, several facts numbered, columns named from the tree",
			rule: supervise.RuleManual,
			breach: supervise.Breach{Rule: supervise.RuleManual, Columns: []string{"ldfg"},
				Facts: []string{"领导分工栏目未随人事调整更新。", "<b>部分</b>信息 & 附件无法打开。"}},
			opts:  supervise.DocumentOptions{Issuer: "某市人民政府办公室", ColumnNames: map[string]string{"ldfg": "领导分工"}},
			title: "关于临沂市发展和改革委员会政府信息公开工作有关问题的督办通知",
			want: []string{"某市人民政府办公室对各单位", "1．领导分工栏目未随人事调整更新。", "2．<b>部分</b>信息 & 附件无法打开。",
				"2026年7月15日"},
			mustNot: []string{"涉及栏目", "超出规定的更新期限"},
		},
		{
			name:   "empty columns whose facts do not name them",
			rule:   supervise.RuleEmpty,
			breach: supervise.Breach{Rule: supervise.RuleEmpty, Columns: []string{"gknb", "zwft"}, Facts: []string{"2 个栏目没有发布任何信息。"}},
			opts:   supervise.DocumentOptions{ColumnNames: map[string]string{"gknb": "信息公开年报", "zwft": "政务访谈"}},
			title:  "关于临沂市发展和改革委员会政府信息公开目录存在空白栏目问题的督办通知",
			want:   []string{"2 个栏目没有发布任何信息。", "涉及栏目：信息公开年报、政务访谈。"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := notice(c.rule, c.breach, raised, due)
			d := n.Document(c.opts)
			if d.Title != c.title {
				t.Errorf("title %q, want %q", d.Title, c.title)
			}
			if d.Number != "临政办督〔2026〕7号" || d.Addressee != "临沂市发展和改革委员会：" || d.Date != "2026年6月30日" {
				t.Errorf("number %q, addressee %q, date %q", d.Number, d.Addressee, d.Date)
			}
			wantIssuer := c.opts.Issuer
			if wantIssuer == "" {
				wantIssuer = "临沂市人民政府办公室"
			}
			if d.Issuer != wantIssuer || d.Signature != wantIssuer {
				t.Errorf("issuer %q, signature %q, want %q", d.Issuer, d.Signature, wantIssuer)
			}
			b, err := d.DOCX()
			if err != nil {
				t.Fatal(err)
			}
			parts, err := extract.Parts(context.Background(), "docx", b, extract.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range parts {
				got = append(got, p.Text)
			}
			// The Word file holds the document's paragraphs, in order, and
			// nothing else.
			if strings.Join(got, "\n") != strings.Join(d.Paragraphs(), "\n") {
				t.Fatalf("the Word file reads\n%s\nthe document is\n%s", strings.Join(got, "\n"), strings.Join(d.Paragraphs(), "\n"))
			}
			head := []string{wantIssuer, "临政办督〔2026〕7号", c.title, "临沂市发展和改革委员会："}
			if strings.Join(got[:4], "|") != strings.Join(head, "|") {
				t.Errorf("the 版头 and title read %q, want %q", got[:4], head)
			}
			tail := got[len(got)-3:]
			if c.opts.CC != "" {
				tail = got[len(got)-4 : len(got)-1]
			}
			if strings.Join(tail, "|") != "特此通知。|"+wantIssuer+"|2026年6月30日" {
				t.Errorf("the signature block reads %q", tail)
			}
			all := strings.Join(got, "\n")
			pos := 0
			for _, w := range c.want {
				i := strings.Index(all[pos:], w)
				if i < 0 {
					t.Errorf("the document lacks %q after position %d:\n%s", w, pos, all)
					continue
				}
				pos += i + len(w)
			}
			for _, w := range c.mustNot {
				if strings.Contains(all, w) {
					t.Errorf("the document has %q", w)
				}
			}
			for _, f := range c.breach.Facts {
				if !strings.Contains(all, f) {
					t.Errorf("fact %q is missing", f)
				}
			}
		})
	}
}

// The issuer's mark shrinks to fit one line of the text block.
func TestIssuerSize(t *testing.T) {
	for _, c := range []struct {
		issuer string
		want   float64
	}{
		{"临沂市人民政府办公室", 42},
		{"临沂市人民政府办公室临沂市人民政府办公室", 21},
		{"", 42},
	} {
		if got := (supervise.NoticeDocument{Issuer: c.issuer}).IssuerSize(); got != c.want {
			t.Errorf("%q: %v pt, want %v", c.issuer, got, c.want)
		}
	}
}

// The service lays out a stored notice for those who may read it, with
// the office's issuer, and hides it from another unit.
func TestServiceDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		f.now = day("2026-06-30")
		office := caller(auth.RoleReviewer, "")
		set := supervise.DefaultSettings()
		set.Issuer = "临沂市政务公开办公室"
		set.NoticePrefix = "临政公督"
		if err := f.svc.SaveSettings(ctx, office, set); err != nil {
			t.Fatal(err)
		}
		n, err := f.svc.Raise(ctx, office, supervise.ManualNotice{Unit: "fgw", Facts: "通知公告栏目内容与栏目不符。\n\n政策文件未关联解读。", Due: day("2026-07-20")})
		if err != nil {
			t.Fatal(err)
		}
		got, d, err := f.svc.Document(ctx, caller(auth.RoleEditor, "fgw"), n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != n.ID || d.Issuer != "临沂市政务公开办公室" || d.Number != "临政公督〔2026〕1号" || d.Addressee != "测试单位fgw：" {
			t.Errorf("document: issuer %q, number %q, addressee %q", d.Issuer, d.Number, d.Addressee)
		}
		body := strings.Join(d.Paragraphs(), "\n")
		for _, w := range []string{"1．通知公告栏目内容与栏目不符。", "2．政策文件未关联解读。", "2026年7月20日前"} {
			if !strings.Contains(body, w) {
				t.Errorf("the document lacks %q:\n%s", w, body)
			}
		}
		if _, _, err := f.svc.Document(ctx, caller(auth.RoleEditor, "jtj"), n.ID); !errors.Is(err, auth.ErrHidden) {
			t.Errorf("another unit: %v, want hidden", err)
		}
		if _, _, err := f.svc.Document(ctx, caller(auth.RoleEditor, "fgw"), n.ID+100); !errors.Is(err, auth.ErrHidden) {
			t.Errorf("no such notice: %v, want hidden", err)
		}
	})
}

// LibreOffice opens the notice's Word file (when it is installed).
func TestNoticeDocumentOpensInLibreOffice(t *testing.T) {
	bin := ""
	for _, name := range []string{"libreoffice", "soffice"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" && os.Getenv("GONGKAI_REQUIRE_LIBREOFFICE") == "1" {
		t.Fatal("libreoffice is not installed, and GONGKAI_REQUIRE_LIBREOFFICE=1 asks for the conversion")
	}
	if bin == "" || testing.Short() {
		t.Skip("libreoffice is not installed")
	}
	raised := day("2026-06-30")
	n := notice(supervise.RuleSilent, supervise.Breach{Rule: supervise.RuleSilent, Facts: []string{"已连续 31 天未发布信息。"}}, raised,
		supervise.EndOfDay(raised.AddDate(0, 0, 15)))
	b, err := n.Document(supervise.DocumentOptions{}).DOCX()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "notice.docx")
	if err := os.WriteFile(src, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", dir, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "notice.pdf"))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("no PDF (%v)", err)
	}
	pages, err := extract.Parts(context.Background(), "pdf", pdf, extract.Limits{})
	if err != nil || len(pages) == 0 {
		t.Fatalf("the PDF reads %q (%v)", pages, err)
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	var all []string
	for _, p := range pages {
		all = append(all, squeeze(p.Text))
	}
	text, last := strings.Join(all, ""), all[len(all)-1]
	// Latin text always reads back; Chinese only where a CJK font is
	// installed for LibreOffice to draw it with (CI installs Noto CJK).
	for _, w := range []string{"2026", "31", "15"} {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q: %q", w, text)
		}
	}
	if out, _ := exec.Command("fc-list", ":lang=zh").Output(); len(out) == 0 {
		t.Log("no CJK font installed: the Chinese text is not checked")
		return
	}
	for _, w := range []string{"临沂市人民政府办公室", "临政办督〔2026〕7号", "关于临沂市发展和改革委员会政府信息公开目录长期未更新问题的督办通知",
		"临沂市发展和改革委员会：", "已连续31天未发布信息。", "于2026年7月15日前", "书面检查", "限时整改"} {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q: %q", w, text)
		}
	}
	// The signature and its date stand on the page of the closing words.
	if !strings.Contains(last, "特此通知。临沂市人民政府办公室2026年6月30日") {
		t.Errorf("the last page reads %q", last)
	}
}
