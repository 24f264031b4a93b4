package demo

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// attachmentSpec is everything needed to write one attachment file.
type attachmentSpec struct {
	name   string // display name, e.g. 附件1：参训人员回执.docx
	file   string // path relative to the JSONL file
	kind   string // docx, xlsx or pdf
	title  string
	paras  []string   // docx and pdf text
	header []string   // xlsx header row
	rows   [][]string // xlsx data rows
	footer string     // xlsx line under the table
	date   time.Time  // document date, also the zip entries' time
}

// attachmentOnlyWords appear in attachments and never in titles or
// bodies, so a search for them finds an entry only through its
// attachments' text.
var attachmentOnlyWords = []string{"填表人", "经办人", "盖章", "抄送", "此件公开发布", "审核人", "一式两份", "填报说明"}

// planAttachments decides whether an entry has attachments and what they
// hold. It draws from its own generator so entries are the same with and
// without attachment files.
func planAttachments(r *rand.Rand, entry *entryCtx, b *body) []attachmentSpec {
	if !chance(r, leafColumns[entry.e.col].AttachPct) {
		return nil
	}
	// The prose helpers draw from the context's generator; give them the
	// attachment stream so the entry's own stream stays untouched.
	ctx := *entry
	ctx.r = r
	c := &ctx
	n := 1
	if chance(r, 20) {
		n = 2
	}
	specs := make([]attachmentSpec, 0, n)
	used := map[string]bool{}
	for k := 1; k <= n; k++ {
		kind := []string{"docx", "xlsx", "pdf"}[pickWeighted(r, []int{60, 25, 15})]
		name := attachmentName(r, c, kind)
		if used[name] {
			name += "（" + cn(k) + "）"
		}
		used[name] = true
		s := attachmentSpec{
			file:  "files/" + c.e.id + "-" + strconv.Itoa(k) + "." + kind,
			kind:  kind,
			title: name,
			date:  time.Date(c.e.written.Year(), c.e.written.Month(), c.e.written.Day(), 9, 0, 0, 0, cst),
		}
		s.name = name + "." + kind
		if chance(r, 70) {
			s.name = "附件" + strconv.Itoa(k) + "：" + s.name
		}
		switch kind {
		case "xlsx":
			fillTable(r, c, &s)
		case "pdf":
			fillDocument(r, c, b, &s, true)
		default:
			fillDocument(r, c, b, &s, false)
		}
		specs = append(specs, s)
	}
	return specs
}

func attachmentName(r *rand.Rand, c *entryCtx, kind string) string {
	e := c.e
	if kind == "xlsx" {
		switch e.col {
		case colTjsj:
			return "分县区数据表"
		case colCzzj:
			return "资金分配明细表"
		case colGgzy:
			return "采购项目明细表"
		case colTzgg:
			if e.variant == tzPublicity {
				return e.name
			}
		}
		return pick(r, []string{c.subj + "工作统计表", c.subj + "检查对象名录", "分县区情况汇总表"})
	}
	switch e.col {
	case colTzgg:
		switch e.variant {
		case tzTraining:
			return c.subj + "业务培训班参训人员回执"
		case tzMeeting:
			return "参会回执"
		case tzInspection:
			return c.subj + "专项检查自查表"
		case tzRecruitment:
			return "公开招聘报名登记表"
		}
		return c.subj + "工作情况报表"
	case colZcwj, colGfxwj, colGhjh:
		if kind == "pdf" {
			return "正式文件"
		}
		return pick(r, []string{"起草说明", "任务分工方案", "政策依据汇编"})
	case colYjzj:
		return pick(r, []string{"起草说明", "意见建议反馈表"})
	case colGgzy:
		return pick(r, []string{e.name + "采购需求", "评分标准"})
	case colZdxm:
		return pick(r, []string{"项目批复文件", "环境影响评价报告表（公示本）"})
	case colCzzj:
		return "绩效目标申报表"
	case colGknb:
		return "年度报告全文"
	}
	return pick(r, []string{"相关材料", "政策依据", "工作台账模板"})
}

// fillDocument writes the text of a .docx or .pdf attachment: a form to
// fill in, or the formal version of the document with its distribution
// list, as the original files attached to government entries look.
func fillDocument(r *rand.Rand, c *entryCtx, b *body, s *attachmentSpec, formal bool) {
	u := c.u
	if formal || strings.Contains(s.title, "文件") || strings.Contains(s.title, "全文") || strings.Contains(s.title, "说明") {
		s.paras = append(s.paras, c.e.title)
		if c.e.docNo != "" {
			s.paras = append(s.paras, c.e.docNo)
		}
		n := 0
		for i := range b.blocks {
			if b.blocks[i].kind == blockPara && n < 4 {
				s.paras = append(s.paras, b.blocks[i].text)
				n++
			}
		}
		s.paras = append(s.paras,
			u.Name,
			dateCN(c.e.written),
			"（此件公开发布）",
			"抄送："+pick(r, []string{"市委各部门，市人大常委会办公室，市政协办公室。", "省" + strings.TrimPrefix(u.Short, "市") + "，市政府办公室。", "各县区人民政府（管委会）办公室。"}),
			u.Name+c.office()+"　　"+dateCN(c.e.written)+"印发")
		return
	}
	s.paras = append(s.paras,
		s.title,
		"填报单位（盖章）：＿＿＿＿＿＿＿＿　　填表人：＿＿＿＿＿＿　　联系电话：＿＿＿＿＿＿",
		"一、基本情况：单位名称、统一社会信用代码、通讯地址、邮政编码。",
		"二、"+c.subj+"工作开展情况（可另附页）：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
		"三、需要协调解决的问题：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
		"经办人签字：＿＿＿＿＿＿　　单位负责人签字：＿＿＿＿＿＿",
		"填报说明：1.请如实填写各项内容，不得空项；2.本表一式两份，请于"+dateCN(workday(c.e.at.AddDate(0, 0, between(r, 5, 15))))+"前报送"+u.Short+c.office()+"；3.电子版请通过协同办公系统报送。",
	)
}

// fillTable writes the sheet of an .xlsx attachment.
func fillTable(r *rand.Rand, c *entryCtx, s *attachmentSpec) {
	f2 := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	switch {
	case strings.Contains(s.title, "名单"):
		s.header = []string{"序号", "姓名", "单位", "职务"}
		for i := 0; i < between(r, 5, 12); i++ {
			s.rows = append(s.rows, []string{strconv.Itoa(i + 1), personName(r), pick(r, districts).Name + pick(r, []string{"人民政府", "有关部门", "街道办事处"}), pick(r, []string{"科长", "科员", "主任", "副主任"})})
		}
	case strings.Contains(s.title, "采购"):
		s.header = []string{"序号", "品目名称", "数量", "单价（元）", "合计（元）"}
		for i := 0; i < between(r, 3, 8); i++ {
			q := between(r, 1, 50)
			p := 100 + r.Float64()*20000
			s.rows = append(s.rows, []string{strconv.Itoa(i + 1), pick(r, procurementItems), strconv.Itoa(q), f2(p), f2(p * float64(q))})
		}
	default:
		s.header = []string{"序号", "县区", "指标", "数值", "同比增长（%）"}
		ind := c.subj
		if len(c.u.Indicators) > 0 {
			ind, _, _ = strings.Cut(pick(r, c.u.Indicators), "/")
		}
		for i, d := range districts {
			s.rows = append(s.rows, []string{strconv.Itoa(i + 1), d.Name, ind, f2(10 + r.Float64()*900), pct(r, -10, 20)})
		}
	}
	s.footer = "填表人：" + personName(r) + "　　审核人：" + personName(r) + "　　填报日期：" + dateCN(c.e.written)
}

// attachmentWriter writes attachment files on a few goroutines while the
// entries keep streaming. File contents depend only on their spec, so the
// output is the same whatever order the workers finish in.
type attachmentWriter struct {
	dir    string
	ctx    context.Context
	cancel context.CancelFunc
	jobs   chan attachmentSpec
	wg     sync.WaitGroup
	once   sync.Once
	mu     sync.Mutex
	err    error
}

func newAttachmentWriter(ctx context.Context, dir string) *attachmentWriter {
	ctx, cancel := context.WithCancel(ctx)
	aw := &attachmentWriter{dir: dir, ctx: ctx, cancel: cancel, jobs: make(chan attachmentSpec, 64)}
	for i := 0; i < max(1, runtime.GOMAXPROCS(0)); i++ {
		aw.wg.Add(1)
		go aw.work()
	}
	return aw
}

func (aw *attachmentWriter) work() {
	defer aw.wg.Done()
	for s := range aw.jobs {
		if aw.ctx.Err() != nil {
			continue // drain after a failure or cancellation
		}
		if err := writeAttachment(filepath.Join(aw.dir, filepath.FromSlash(s.file)), &s); err != nil {
			aw.fail(err)
		}
	}
}

func (aw *attachmentWriter) fail(err error) {
	aw.mu.Lock()
	if aw.err == nil {
		aw.err = err
	}
	aw.mu.Unlock()
	aw.cancel()
}

func (aw *attachmentWriter) firstErr() error {
	aw.mu.Lock()
	defer aw.mu.Unlock()
	if aw.err != nil {
		return aw.err
	}
	return aw.ctx.Err()
}

func (aw *attachmentWriter) submit(s attachmentSpec) error {
	select {
	case aw.jobs <- s:
		return nil
	case <-aw.ctx.Done():
		return aw.firstErr()
	}
}

// wait finishes all submitted files and reports the first error.
func (aw *attachmentWriter) wait() error {
	aw.once.Do(func() { close(aw.jobs) })
	aw.wg.Wait()
	err := aw.firstErr()
	aw.cancel()
	return err
}

// abort stops the workers; it is safe after wait.
func (aw *attachmentWriter) abort() {
	aw.cancel()
	aw.once.Do(func() { close(aw.jobs) })
	aw.wg.Wait()
}

func writeAttachment(path string, s *attachmentSpec) error {
	switch s.kind {
	case "xlsx":
		return writeXLSX(path, s)
	case "pdf":
		return writePDF(path, s)
	default:
		return writeDOCX(path, s)
	}
}
