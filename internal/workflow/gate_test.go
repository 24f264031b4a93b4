package workflow_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/workflow"
)

// plantedID is the standard's own example of a valid 身份证号.
const plantedID = "11010519491231002X"

// docx makes a minimal Word document with one paragraph per text.
func docx(t *testing.T, paras ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`))
	w, _ = zw.Create("word/document.xml")
	var body strings.Builder
	for _, p := range paras {
		body.WriteString(`<w:p><w:r><w:t>` + p + `</w:t></w:r></w:p>`)
	}
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestQualityGate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		wf.Gate = checks.Default(checks.Settings{})
		att := must(wf.Upload(ctx, editor, "", "补贴发放名单.docx", bytes.NewReader(docx(t, "第一批补贴名单如下。", "王某某，身份证号"+plantedID+"，补贴1200元。")))).ok(t)
		in := draft("ggfw")
		in.BodyHTML = "<p>申请人张某，身份证号 " + plantedID + "，联系电话 13805391234。</p><p>咨询电话 0539-8123456。</p>"
		in.Attachments = []catalog.AttachmentRef{{Name: att.Name, SHA256: att.SHA256}}
		e := must(wf.Create(ctx, editor, in)).ok(t).Entry

		fs := must(wf.Findings(ctx, editor, e.ID)).ok(t)
		where := map[string]bool{}
		for _, f := range fs {
			where[f.Rule+"@"+f.Field+":"+f.File+":"+f.Part] = true
		}
		for _, want := range []string{"pii_id@body::", "pii_phone@body::", "pii_id@attachment:补贴发放名单.docx:第2段"} {
			if !where[want] {
				t.Errorf("no finding %s in %v", want, where)
			}
		}
		if _, err := wf.Findings(ctx, foreign, e.ID); !errors.Is(err, auth.ErrHidden) {
			t.Errorf("another unit's findings: %v", err)
		}

		// A blocking finding stops the submission; the editor cannot override it.
		var be *workflow.BlockedError
		if _, err := wf.Submit(ctx, editor, e.ID, 0); !errors.As(err, &be) || len(be.Findings) == 0 {
			t.Fatalf("submit with an ID number: %v, want BlockedError", err)
		}
		if _, err := wf.SubmitOverriding(ctx, editor, e.ID, 0, "领导同意公开"); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("editor override: %v, want ErrForbidden", err)
		}
		if d := must(st.Entry(ctx, e.ID)).ok(t); d.Status != catalog.StatusDraft {
			t.Fatalf("a blocked entry moved to %s", d.Status)
		}

		// One-click masking fixes the body; the attachment must be replaced.
		res, n, err := wf.Mask(ctx, editor, e.ID, 0)
		if err != nil || n != 2 || strings.Contains(res.Entry.BodyHTML, plantedID) || strings.Contains(res.Entry.BodyHTML, "13805391234") ||
			!strings.Contains(res.Entry.BodyHTML, "0539-8123456") {
			t.Fatalf("mask: %d places, %v: %s", n, err, res.Entry.BodyHTML)
		}
		if _, err := wf.Submit(ctx, editor, e.ID, 0); !errors.As(err, &be) {
			t.Fatalf("the attachment still holds an ID number: %v", err)
		}
		// The unit's approver may submit with a reason, which is audited.
		if _, err := wf.SubmitOverriding(ctx, approver, e.ID, 0, " "); err == nil {
			t.Error("an override without a reason was accepted")
		}
		r := must(wf.SubmitOverriding(ctx, approver, e.ID, 0, "附件为公示名单原件，已另行脱敏上传")).ok(t)
		if r.Entry.Status != catalog.StatusSubmitted {
			t.Errorf("after the approver's override: %s", r.Entry.Status)
		}
		recs, _, err := st.AuditRecords(ctx, store.AuditQuery{Action: "entry.gate_override"})
		if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Summary, "附件为公示名单原件") || !strings.Contains(recs[0].Summary, "pii_id") {
			t.Errorf("override audit: %+v, %v", recs, err)
		}

		// Checking text before it is saved.
		got := must(wf.CheckDraft(ctx, editor, workflow.Draft{Title: "通知", BodyHTML: "<p>联系人 13805391234</p>"})).ok(t)
		if len(got) != 1 || got[0].Rule != "pii_phone" || got[0].Start != 4 || got[0].End != 15 {
			t.Errorf("check draft: %+v", got)
		}
		if _, err := wf.CheckDraft(ctx, auditor, workflow.Draft{Title: "x"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("auditor check: %v", err)
		}
	})
}
