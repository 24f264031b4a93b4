package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkQualityGate prints what `make bench-checks` reports: precision
// and recall of every text rule of the default gate over every labelled
// set in testdata, then the gate's speed over a 10,000-character entry
// (all rules together), against a baseline of the same text scanned once
// by strings.Count in the same run.
func BenchmarkQualityGate(b *testing.B) {
	g := Default(Settings{})
	files, _ := filepath.Glob(filepath.Join("testdata", "eval_*.jsonl"))
	var cases []EvalCase
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		cs, err := ReadEval(fh)
		fh.Close()
		if err != nil {
			b.Fatal(err)
		}
		cases = append(cases, cs...)
	}
	clean := 0
	for _, c := range cases {
		if len(c.Findings) == 0 {
			clean++
		}
	}
	var rep strings.Builder
	Report(&rep, Evaluate(cases, g.TextRules()...))
	b.Logf("%d labelled cases from %d sets (%d clean):\n%s", len(cases), len(files), clean, rep.String())

	doc := benchDocument(10000)
	d := Document{Title: "关于做好2026年春季农业生产工作的通知", Body: doc}
	b.Run("gate", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for range b.N {
			g.Check(d)
		}
	})
	b.Run("baseline_scan", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for range b.N {
			strings.Count(doc, "的")
		}
	})
}

// benchDocument is official prose of about n characters with a few
// numbers of every kind planted in it.
func benchDocument(n int) string {
	paras := []string{
		"为深入贯彻落实党中央、国务院关于做好春季农业生产工作的决策部署，确保粮食面积稳定、产量增长，现就有关事项通知如下。",
		"各县区要截至2026年3月31日前完成春播物资储备情况摸排，统计数据报市农业农村局，联系电话0539-8123456。",
		"补贴资金通过“一卡通”发放，共涉及农户12345户，发放金额合计3456.78万元，订单编号20260301123456789。",
		"申请人王某，联系方式13805391234，身份证号11010519491231002X，已按规定公示，公示期5个工作日。",
		"要加强农资市场监管，严厉打击制售假劣农资行为，确保农民用上放心农资，咨询投诉请拨打12345政务服务便民热线。",
	}
	var b strings.Builder
	for b.Len() < n*3 {
		for _, p := range paras {
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
