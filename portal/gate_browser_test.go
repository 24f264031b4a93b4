package portal_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/workflow"
)

// gatePlantedID is the standard's own example of a valid 身份证号.
const gatePlantedID = "11010519491231002X"

// TestBrowserGateHighlightsAndMasks: a draft with an ID number cannot be
// submitted; the unit's approver overrides the gate with a reason; the
// office reviewer sees the number marked in the preview and on the entry
// page, masks it with one click, and the preview then shows the masked
// form and nothing marked.
func TestBrowserGateHighlightsAndMasks(t *testing.T) {
	needBrowser(t)
	s := newCBSite(t)
	s.wf.Gate = checks.Default(checks.Settings{}) // the console's own service runs the same gate
	ctx := context.Background()
	in := catalog.EntryInput{Column: "ggfw", Title: "关于2026年春耕补贴发放情况的公示",
		BodyHTML: "<p>经审核，下列农户符合补贴条件：</p><p>张某某，身份证号 " + gatePlantedID + "，补贴金额1200元。</p>"}
	res, err := s.wf.Create(ctx, s.who["ed.fgw"], in)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Entry.ID
	var be *workflow.BlockedError
	if _, err := s.wf.Submit(ctx, s.who["ed.fgw"], id, 0); !errors.As(err, &be) {
		t.Fatalf("submitting an ID number: %v, want the gate to stop it", err)
	}
	if _, err := s.wf.SubmitOverriding(ctx, s.who["ap.fgw"], id, 0, "公示须列明受补贴人，已征得本人同意"); err != nil {
		t.Fatal(err)
	}

	browser := newBrowser(t)
	rv := cbTab(t, browser, s.URL)
	rv.keyboardLogin(t, "rv.office", cbPassword)
	if st := rv.open(t, "/console/entries/"+id+"/preview"); st != 200 {
		t.Fatalf("preview: %d", st)
	}
	marks := cbEval[string](t, rv, `Array.from(document.querySelectorAll("mark.finding")).map(m => m.textContent).join("|")`)
	if !strings.Contains(marks, gatePlantedID) {
		t.Fatalf("the preview marks %q, want the planted ID number", marks)
	}
	if st := rv.open(t, "/console/entries/"+id); st != 200 {
		t.Fatalf("entry page: %d", st)
	}
	panel := rv.text(t, "section.findings")
	if !strings.Contains(panel, "身份证号") || !strings.Contains(panel, gatePlantedID) || !strings.Contains(panel, "110105********002X") {
		t.Fatalf("the findings panel says:\n%s", panel)
	}
	if st := rv.submit(t, "mask with one click", chromedp.Click(chromedp.CSS(`form[action$="/mask"] button`))); st != 200 {
		t.Fatalf("after masking: %d", st)
	}
	if notice := rv.text(t, ".flash"); !strings.Contains(notice, "已对正文") {
		t.Errorf("after masking %s says %q", rv.where(t), notice)
	}
	d := s.entry(t, id)
	if strings.Contains(d.BodyHTML, gatePlantedID) || !strings.Contains(d.BodyHTML, "110105********002X") || d.Status != catalog.StatusSubmitted {
		t.Fatalf("stored after masking (%s): %s", d.Status, d.BodyHTML)
	}
	rv.open(t, "/console/entries/"+id+"/preview")
	if marks := cbEval[string](t, rv, `Array.from(document.querySelectorAll("mark.finding")).map(m => m.textContent).join("|")`); strings.Contains(marks, "11010519") {
		t.Errorf("after masking the preview still marks %q", marks)
	}
	if body := rv.text(t, "main"); !strings.Contains(body, "110105********002X") {
		t.Errorf("the preview does not show the masked number:\n%s", body)
	}
}
