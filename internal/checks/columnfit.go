package checks

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"

	"gongkai/internal/catalog"
)

// Column fit (column_fit): a multinomial naive Bayes classifier, trained
// on the store's own published entries, that says how likely an entry is
// to belong to its column and which column it most likely belongs to. The
// features are the words of the title (counted several times over), of the
// summary and of the start of the body, and patterns of the title and the
// 文号 (关于印发…, …的公示, 统计公报, a 文号 of the 发 kind, the 文种 the title
// ends with). Scores are tempered by a factor fitted by cross-validation
// on whole entries and on their title and summary alone, so that a
// probability of 5% means roughly that.
// docs/checks-columnfit.md says why naive Bayes and how the threshold was
// chosen.

// FitExample is one entry the classifier learns from (or is measured on).
type FitExample struct {
	Title, Summary, Body string // Body: plain text; only its start is read
	DocType, DocNo       string
	Column               string // the column code, e.g. "tzgg"
}

// FitExampleFromEntry makes a training example of a catalog entry;
// bodyText is its body's plain text (sanitize.Policy.Text of the HTML).
func FitExampleFromEntry(e catalog.Entry, bodyText string) FitExample {
	return FitExample{Title: e.Title, Summary: e.Summary, Body: bodyText, DocType: e.DocType, DocNo: e.DocNo, Column: e.Column}
}

// FitOptions tune training. The zero value is the tuned default.
type FitOptions struct {
	TitleWeight   float64 // weight of a title word against a summary or body word (default 3)
	PatternWeight float64 // weight of a title or 文号 pattern (default 3)
	BodyChars     int     // characters of the body read (default 500)
	MinDocs       int     // a word seen in fewer training entries is dropped (default 2)
	// Alpha is the additive smoothing; 0 picks it, with the temperature, by
	// cross-validation.
	Alpha float64
	// CalibrationEntries is how many training entries (default 2000)
	// cross-validation scores to fit the temperature (and Alpha); sets
	// under 200 entries keep a temperature of 1.
	CalibrationEntries int
	Seed               int64             // the calibration sample and folds (default 1)
	ColumnNames        map[string]string // code → display name; the standard template's names by default
	// Segmenter is the word segmenter to use; nil loads one (about a
	// second and 130 MB). Retraining hands over the old model's
	// (ColumnModel.Segmenter).
	Segmenter *FitSegmenter
}

func (o FitOptions) withDefaults() FitOptions {
	if o.TitleWeight <= 0 {
		o.TitleWeight = 3
	}
	if o.PatternWeight <= 0 {
		o.PatternWeight = 3
	}
	if o.BodyChars <= 0 {
		o.BodyChars = 500
	}
	if o.MinDocs <= 0 {
		o.MinDocs = 2
	}
	if o.CalibrationEntries <= 0 {
		o.CalibrationEntries = 2000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// DefaultColumnFitThreshold is the probability of its own column below
// which an entry is flagged (when another column reaches fitLead). It was
// chosen on the demo catalog's held-out entries: see docs/checks-columnfit.md.
const DefaultColumnFitThreshold = 0.05

// fitLead is how likely the other column must be for a flag: at least even
// odds, so that at the default threshold it is ten times as likely as the
// entry's own column, and never one of several near-equal guesses.
const fitLead = 0.5

// FitSegmenter cuts Chinese text into words (go-ego/gse with its
// simplified-Chinese dictionary). It is read-only once loaded and safe for
// concurrent use; load it once per model (or share it between models),
// never per call.
type FitSegmenter struct{ seg *gse.Segmenter }

// NewFitSegmenter loads the dictionary (about a second and 130 MB of heap).
func NewFitSegmenter() (*FitSegmenter, error) {
	seg := &gse.Segmenter{SkipLog: true, NotLoadHMM: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("checks: load word dictionary: %w", err)
	}
	return &FitSegmenter{seg: seg}, nil
}

// words calls fn with each word of s that holds a letter and no digit:
// numbers (years, amounts, serials) say nothing about a column that the
// patterns do not say better.
func (s *FitSegmenter) words(text string, fn func(w string)) {
	b := []byte(text)
	for _, sg := range s.seg.Segment(b) {
		w := b[sg.Start():sg.End()]
		letter := false
		for len(w) > 0 {
			r, n := utf8.DecodeRune(w)
			w = w[n:]
			if unicode.IsDigit(r) {
				letter = false
				break
			}
			if unicode.IsLetter(r) {
				letter = true
			}
		}
		if letter {
			fn(string(b[sg.Start():sg.End()]))
		}
	}
}

// ColumnModel is a trained column classifier. It is read-only and safe for
// concurrent use.
type ColumnModel struct {
	seg     *FitSegmenter
	p       fitParams
	columns []string          // sorted codes
	names   map[string]string // code → display name
	docs    []int             // training entries per column
	terms   []string          // sorted vocabulary
	index   map[string]int32  // term → position in terms
	counts  []float64         // counts[t*len(columns)+c]: weighted count of term t in column c
	totals  []float64         // per column: sum of its counts
	alpha   float64
	temp    float64
	info    FitInfo

	prior []float64 // log P(c)
	logp  []float64 // logp[t*len(columns)+c]: log P(t | c)
}

// fitParams are the options that shape features, kept with the model so a
// loaded model reads entries the way it was trained to.
type fitParams struct {
	TitleWeight   float64 `json:"title_weight"`
	PatternWeight float64 `json:"pattern_weight"`
	BodyChars     int     `json:"body_chars"`
	MinDocs       int     `json:"min_docs"`
}

// FitInfo describes a trained model.
type FitInfo struct {
	Examples    int     `json:"examples"`
	Columns     int     `json:"columns"`
	Terms       int     `json:"terms"`
	Alpha       float64 `json:"alpha"`
	Temperature float64 `json:"temperature"`
	// HeldOut is the model's measure on entries it was not trained on, when
	// the trainer recorded one (SetHeldOut).
	HeldOut *FitReport `json:"held_out,omitempty"`
}

// fitVec is an entry's features: term and weight, sorted by term.
type fitVec []fitTerm

type fitTerm struct {
	term string
	w    float64
}

// TrainColumnFit trains a classifier on examples (entries in their right
// columns). Training is deterministic: the same examples and options give
// the same model.
func TrainColumnFit(examples []FitExample, opt FitOptions) (*ColumnModel, error) {
	opt = opt.withDefaults()
	var ex []FitExample
	for _, e := range examples {
		if e.Column != "" {
			ex = append(ex, e)
		}
	}
	if len(ex) == 0 {
		return nil, errors.New("checks: column fit: no training entries")
	}
	m := &ColumnModel{p: fitParams{TitleWeight: opt.TitleWeight, PatternWeight: opt.PatternWeight, BodyChars: opt.BodyChars, MinDocs: opt.MinDocs}}
	m.names = fitColumnNames(opt.ColumnNames)
	seen := map[string]bool{}
	for _, e := range ex {
		if !seen[e.Column] {
			seen[e.Column] = true
			m.columns = append(m.columns, e.Column)
		}
	}
	slices.Sort(m.columns)
	if len(m.columns) < 2 {
		return nil, errors.New("checks: column fit: training entries cover fewer than two columns")
	}
	if m.seg = opt.Segmenter; m.seg == nil {
		var err error
		if m.seg, err = NewFitSegmenter(); err != nil {
			return nil, err
		}
	}
	col := make(map[string]int, len(m.columns))
	for i, c := range m.columns {
		col[c] = i
	}

	vecs := make([]fitVec, len(ex))
	fitParallel(len(ex), func(i int) { vecs[i] = m.features(ex[i]) })
	labels := make([]int, len(ex))
	for i, e := range ex {
		labels[i] = col[e.Column]
	}

	// The vocabulary: terms found in at least MinDocs training entries.
	df := map[string]int{}
	for _, v := range vecs {
		for _, t := range v {
			df[t.term]++
		}
	}
	for t, n := range df {
		if n >= opt.MinDocs {
			m.terms = append(m.terms, t)
		}
	}
	slices.Sort(m.terms)
	m.index = make(map[string]int32, len(m.terms))
	for i, t := range m.terms {
		m.index[t] = int32(i)
	}
	ids := make([][]fitID, len(vecs))
	for i, v := range vecs {
		ids[i] = m.ids(v)
	}

	// Smoothing and temperature, fitted by cross-validation: up to
	// CalibrationEntries training entries, in five folds, each fold scored
	// by counts from all the other entries. Each is read three ways: whole,
	// title and summary only, title only. Whole entries of a catalog like
	// the demo's are never misplaced, which would leave the temperature at
	// 1 (naive Bayes's own, far too sure); the sparse views are how many
	// entries reach the gate (a title and two lines) and give the errors
	// that calibrate it.
	alphas := []float64{opt.Alpha}
	if opt.Alpha <= 0 {
		alphas = []float64{0.03, 0.1, 0.3, 1}
	}
	alpha, temp := alphas[len(alphas)/2], 1.0
	if len(ex) >= 200 {
		cal := make([]int, len(ex))
		for i := range cal {
			cal[i] = i
		}
		if len(ex) > opt.CalibrationEntries {
			_, cal = fitSplitIndex(labels, float64(opt.CalibrationEntries)/float64(len(ex)), opt.Seed)
		}
		const folds = 5
		sparse := make([][2][]fitID, len(cal))
		fitParallel(len(cal), func(k int) {
			e := ex[cal[k]]
			sparse[k] = [2][]fitID{
				m.ids(m.features(FitExample{Title: e.Title, Summary: e.Summary, DocNo: e.DocNo})),
				m.ids(m.features(FitExample{Title: e.Title, DocNo: e.DocNo})),
			}
		})
		// fold[i]: the fold entry i is scored in, or -1.
		fold := make([]int, len(ex))
		for i := range fold {
			fold[i] = -1
		}
		r := rand.New(rand.NewPCG(uint64(opt.Seed), 0x666f6c6473)) // "folds"
		perm := r.Perm(len(cal))
		for k, i := range cal {
			fold[i] = perm[k] % folds
		}
		pos := make(map[int]int, len(cal))
		for k, i := range cal {
			pos[i] = k
		}
		scores := make([][][]float64, len(alphas)) // per alpha, per view
		var truth []int
		for f := range folds {
			var fit, test []int
			for i, fi := range fold {
				if fi == f {
					test = append(test, i)
				} else {
					fit = append(fit, i)
				}
			}
			m.count(ids, labels, fit)
			for ai, a := range alphas {
				m.alpha = a
				m.derive()
				for _, i := range test {
					sp := sparse[pos[i]]
					scores[ai] = append(scores[ai], m.scores(ids[i]), m.scores(sp[0]), m.scores(sp[1]))
				}
			}
			for _, i := range test {
				truth = append(truth, labels[i], labels[i], labels[i])
			}
		}
		best := math.Inf(1)
		for ai, a := range alphas {
			if t, nll := fitTemperature(scores[ai], truth); nll < best-1e-12 {
				best, alpha, temp = nll, a, t
			}
		}
	}
	all := make([]int, len(ex))
	for i := range all {
		all[i] = i
	}
	m.count(ids, labels, all)
	m.alpha, m.temp = alpha, temp
	m.derive()
	m.info = FitInfo{Examples: len(ex), Columns: len(m.columns), Terms: len(m.terms)}
	return m, nil
}

type fitID struct {
	id int32
	w  float64
}

// ids maps a feature vector onto the vocabulary, leaving out unknown terms.
func (m *ColumnModel) ids(v fitVec) []fitID {
	out := make([]fitID, 0, len(v))
	for _, t := range v {
		if i, ok := m.index[t.term]; ok {
			out = append(out, fitID{i, t.w})
		}
	}
	return out
}

// count fills counts, totals and docs from the entries at idx.
func (m *ColumnModel) count(ids [][]fitID, labels []int, idx []int) {
	nc := len(m.columns)
	m.counts = make([]float64, len(m.terms)*nc)
	m.totals = make([]float64, nc)
	m.docs = make([]int, nc)
	for _, i := range idx {
		c := labels[i]
		m.docs[c]++
		for _, t := range ids[i] {
			m.counts[int(t.id)*nc+c] += t.w
			m.totals[c] += t.w
		}
	}
}

// derive computes the log probabilities from the counts.
func (m *ColumnModel) derive() {
	nc := len(m.columns)
	n := 0
	for _, d := range m.docs {
		n += d
	}
	m.prior = make([]float64, nc)
	for c, d := range m.docs {
		// Add-one on the priors too: a column with no training entry left
		// (a tiny calibration split) keeps a finite score.
		m.prior[c] = math.Log(float64(d+1) / float64(n+nc))
	}
	v := float64(len(m.terms))
	m.logp = make([]float64, len(m.counts))
	den := make([]float64, nc)
	for c := range den {
		den[c] = math.Log(m.totals[c] + m.alpha*v)
	}
	for t := range m.terms {
		for c := 0; c < nc; c++ {
			m.logp[t*nc+c] = math.Log(m.counts[t*nc+c]+m.alpha) - den[c]
		}
	}
}

// scores are the untempered log scores of each column.
func (m *ColumnModel) scores(ids []fitID) []float64 {
	nc := len(m.columns)
	s := slices.Clone(m.prior)
	for _, t := range ids {
		row := m.logp[int(t.id)*nc : int(t.id)*nc+nc]
		for c, lp := range row {
			s[c] += t.w * lp
		}
	}
	return s
}

// softmax turns log scores into probabilities at temperature temp.
func fitSoftmax(s []float64, temp float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range s {
		mx = max(mx, v)
	}
	p := make([]float64, len(s))
	sum := 0.0
	for c, v := range s {
		p[c] = math.Exp((v - mx) / temp)
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
	return p
}

// fitTemperature finds the temperature (at least 1: never sharper than
// naive Bayes itself) that minimises the negative log likelihood of the
// true columns, by golden-section search over its logarithm.
func fitTemperature(scores [][]float64, truth []int) (temp, nll float64) {
	top := make([]float64, len(scores))
	for k, s := range scores {
		top[k] = slices.Max(s)
	}
	// −log p(true) = log Σ exp((s−max)/T) − (s_true−max)/T, in log space
	// so that a very wrong guess costs what it should instead of
	// underflowing.
	loss := func(lt float64) float64 {
		t := math.Exp(lt)
		sum := 0.0
		for k, s := range scores {
			z := 0.0
			for _, v := range s {
				z += math.Exp((v - top[k]) / t)
			}
			sum += math.Log(z) - (s[truth[k]]-top[k])/t
		}
		return sum / float64(len(scores))
	}
	lo, hi := 0.0, math.Log(1000)
	g := (math.Sqrt(5) - 1) / 2
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := loss(a), loss(b)
	for range 40 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = loss(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = loss(b)
		}
	}
	lt := (lo + hi) / 2
	// The ends are candidates too: the loss may be flat or monotone.
	best, bl := loss(lt), lt
	for _, e := range []float64{0, math.Log(1000)} {
		if l := loss(e); l < best {
			best, bl = l, e
		}
	}
	return math.Exp(bl), best
}

// fitSplitIndex splits positions 0..len(labels)-1 per label: share of each
// label's positions (rounded; at least one of a label with two or more,
// never its last) go to the second list, chosen by a generator seeded
// with seed. Both lists are in ascending order.
func fitSplitIndex(labels []int, share float64, seed int64) (keep, out []int) {
	by := map[int][]int{}
	for i, l := range labels {
		by[l] = append(by[l], i)
	}
	ls := make([]int, 0, len(by))
	for l := range by {
		ls = append(ls, l)
	}
	slices.Sort(ls)
	r := rand.New(rand.NewPCG(uint64(seed), 0x636f6c756d6e6669)) // "columnfi"
	taken := make([]bool, len(labels))
	for _, l := range ls {
		idx := by[l]
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		n := int(math.Round(share * float64(len(idx))))
		if n == 0 && len(idx) >= 2 && share > 0 {
			n = 1
		}
		n = min(n, len(idx)-1) // every label keeps one position in the first list
		for _, i := range idx[:n] {
			taken[i] = true
		}
	}
	for i, t := range taken {
		if t {
			out = append(out, i)
		} else {
			keep = append(keep, i)
		}
	}
	return keep, out
}

// SplitFitExamples splits examples into a training set and a held-out
// set with heldOut of every column's entries (0.2 for the usual 80/20),
// chosen by seed: the same inputs always give the same split.
func SplitFitExamples(examples []FitExample, heldOut float64, seed int64) (train, test []FitExample) {
	// Labels numbered in sorted column order, so that the split does not
	// depend on which column comes first.
	col := map[string]int{}
	for _, e := range examples {
		col[e.Column] = 0
	}
	codes := make([]string, 0, len(col))
	for c := range col {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for i, c := range codes {
		col[c] = i
	}
	labels := make([]int, len(examples))
	for i, e := range examples {
		labels[i] = col[e.Column]
	}
	keep, out := fitSplitIndex(labels, heldOut, seed)
	for _, i := range keep {
		train = append(train, examples[i])
	}
	for _, i := range out {
		test = append(test, examples[i])
	}
	return train, test
}

// fitParallel runs fn(0..n-1) on every core.
func fitParallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n/64, 1))
	var wg sync.WaitGroup
	var next sync.Mutex
	i := 0
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				k := i
				i += 16
				next.Unlock()
				if k >= n {
					return
				}
				for j := k; j < min(k+16, n); j++ {
					fn(j)
				}
			}
		})
	}
	wg.Wait()
}

// Title patterns. Each is a feature of its own: words alone miss that
// 关于印发 opens a title or that 公示 ends one.
var (
	fitPrefixes = []string{"关于印发", "关于转发", "关于公布", "关于下达", "关于开展", "关于举办", "关于召开",
		"关于做好", "关于报送", "关于公开征求", "关于进一步", "关于加强", "关于群众关注", "图解", "一图读懂", "【"}
	fitContains = []string{"公示", "公告", "通告", "通知", "通报", "解读", "答记者问", "问答", "访谈", "实录",
		"统计公报", "统计数据", "经济运行", "主要经济指标", "价格变动", "预算", "决算", "三公", "专项资金", "绩效",
		"招标", "中标", "成交", "采购", "出让", "磋商", "合同公告", "应急预案", "预警", "风险提示", "应急演练", "防范应对",
		"征求意见", "意见稿", "反馈", "规划", "十三五", "十四五", "十五五", "中期评估", "行动计划", "工作计划", "工作总结", "工作要点",
		"年度报告", "信息公开指南", "主要职责", "机构设置", "内设机构", "领导", "分工", "清单", "办事指南", "便民", "常见问题",
		"办法", "细则", "若干规定", "若干措施", "实施意见", "实施方案", "建设项目", "竣工", "施工许可", "批准",
		"招聘", "培训", "会议", "检查", "回头看", "回应", "《", "征地"}
	// fitKinds are the 文种 a title may end with, longest first where one
	// ends another (统计公报 before 公报).
	fitKinds = []string{"统计公报", "公报", "通知", "公告", "通告", "公示", "通报", "意见", "办法", "细则", "规定",
		"报告", "方案", "规划", "解读", "问答", "总结", "计划", "清单", "指南", "说明", "情况", "信息", "回应",
		"简章", "决算", "预算", "意向", "名单", "要点", "措施", "批复", "决定", "实录", "反馈", "提示", "职责", "分工", "机构设置"}
	fitTail     = regexp.MustCompile(`[（(][^（）()]*[）)]$`)
	fitYearMon  = regexp.MustCompile(`\d{4}年\d{1,2}月`)
	fitQuarter  = regexp.MustCompile(`[一二三四]季度|上半年|前三季度`)
	fitSerialNo = regexp.MustCompile(`第\d+号`)
	fitDocNoSep = regexp.MustCompile(`[〔\[［(（]\d{4}[〕\]］)）]`)
)

// fitFold maps full-width ASCII to half-width and letters to lower case,
// so that ２０２４ and 2024 read alike.
func fitFold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
}

// features turns an entry into weighted terms: w:word for words (title
// words TitleWeight times, each field's repeats damped by a logarithm),
// p:… for patterns, d:… for the document type.
func (m *ColumnModel) features(e FitExample) fitVec {
	title := strings.TrimSpace(fitFold(e.Title))
	acc := map[string]float64{}
	count := func(text string, weight float64) {
		tf := map[string]int{}
		m.seg.words(text, func(w string) { tf[w]++ })
		for w, n := range tf {
			acc["w:"+w] += weight * (1 + math.Log(float64(n)))
		}
	}
	count(title, m.p.TitleWeight)
	count(fitFold(e.Summary), 1)
	count(fitFold(fitHead(e.Body, m.p.BodyChars)), 1)

	pw := m.p.PatternWeight
	pat := func(name string) { acc["p:"+name] = pw }
	for _, p := range fitPrefixes {
		if strings.HasPrefix(title, p) {
			pat("始" + p)
		}
	}
	for _, p := range fitContains {
		if strings.Contains(title, p) {
			pat("含" + p)
		}
	}
	bare := title
	for {
		t := fitTail.ReplaceAllString(bare, "")
		if t == bare {
			break
		}
		bare = strings.TrimSpace(t)
	}
	if bare != title {
		pat("括注")
	}
	kind := "其他"
	for _, k := range fitKinds {
		if strings.HasSuffix(bare, k) {
			kind = k
			break
		}
	}
	pat("文种" + kind)
	if strings.HasSuffix(bare, "的"+kind) {
		pat("的" + kind)
	}
	if fitYearMon.MatchString(title) {
		pat("年月")
	}
	if fitQuarter.MatchString(title) {
		pat("季度")
	}
	if fitSerialNo.MatchString(title) {
		pat("第号")
	}
	if no := strings.TrimSpace(fitFold(e.DocNo)); no != "" {
		pat("有文号")
		if loc := fitDocNoSep.FindStringIndex(no); loc != nil {
			if r, _ := utf8.DecodeLastRuneInString(no[:loc[0]]); r != utf8.RuneError {
				pat("文号" + string(r))
			}
		}
	} else {
		pat("无文号")
	}
	if dt := strings.TrimSpace(e.DocType); dt != "" {
		acc["d:"+dt] = pw
	}

	v := make(fitVec, 0, len(acc))
	for t, w := range acc {
		v = append(v, fitTerm{t, w})
	}
	slices.SortFunc(v, func(a, b fitTerm) int { return strings.Compare(a.term, b.term) })
	return v
}

// fitHead is the first n characters of s.
func fitHead(s string, n int) string {
	k := 0
	for i := range s {
		if k == n {
			return s[:i]
		}
		k++
	}
	return s
}

// fitColumnNames is the standard template's names overlaid with names.
func fitColumnNames(names map[string]string) map[string]string {
	out := map[string]string{}
	for _, c := range catalog.DefaultTemplate().Columns {
		out[c.Code] = c.Name
	}
	for k, v := range names {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// Columns returns the column codes the model knows, sorted.
func (m *ColumnModel) Columns() []string { return slices.Clone(m.columns) }

// Info describes the model.
func (m *ColumnModel) Info() FitInfo {
	in := m.info
	in.Alpha, in.Temperature = m.alpha, m.temp
	return in
}

// SetHeldOut records the model's measure on held-out entries, so that it
// is kept (and marshalled) with the model.
func (m *ColumnModel) SetHeldOut(r FitReport) { m.info.HeldOut = &r }

// Segmenter returns the model's word segmenter, to hand to the next
// training (FitOptions.Segmenter) or loading.
func (m *ColumnModel) Segmenter() *FitSegmenter { return m.seg }

// ColumnName is the display name of a column code.
func (m *ColumnModel) ColumnName(code string) string {
	if n, ok := m.names[code]; ok {
		return n
	}
	return code
}

// Predict returns the most likely column of d and the probability of
// every column the model knows. d.Column is not read.
func (m *ColumnModel) Predict(d Document) (best string, probs map[string]float64) {
	return m.PredictExample(FitExample{Title: d.Title, Summary: d.Summary, Body: d.Body, DocNo: d.DocNo})
}

// PredictExample is Predict for an entry given as an example: its
// DocType is read too (a Document has none).
func (m *ColumnModel) PredictExample(e FitExample) (best string, probs map[string]float64) {
	p := m.probs(e)
	probs = make(map[string]float64, len(p))
	bi := 0
	for c, v := range p {
		probs[m.columns[c]] = v
		if v > p[bi] {
			bi = c
		}
	}
	return m.columns[bi], probs
}

func (m *ColumnModel) probs(e FitExample) []float64 {
	return fitSoftmax(m.scores(m.ids(m.features(e))), m.temp)
}

// misplaced reports whether an entry of column col, with best and probs
// as predicted, is to be flagged at threshold.
func fitMisplaced(col, best string, probs map[string]float64, threshold float64) bool {
	pc, known := probs[col]
	return known && best != col && pc < threshold && probs[best] >= fitLead
}

// Rule returns the column_fit rule at threshold (DefaultColumnFitThreshold
// when threshold ≤ 0): an entry is flagged when its own column's
// probability is below threshold and another column reaches even odds.
// Entries of columns the model has not learnt are not judged.
func (m *ColumnModel) Rule(threshold float64) MetaRule {
	if threshold <= 0 {
		threshold = DefaultColumnFitThreshold
	}
	return &columnFitRule{m: m, threshold: threshold}
}

type columnFitRule struct {
	m         *ColumnModel
	threshold float64
}

func (*columnFitRule) ID() string { return "column_fit" }

func (r *columnFitRule) CheckDocument(d Document) []Finding {
	if d.Column == "" || strings.TrimSpace(d.Title) == "" {
		return nil
	}
	if _, ok := slices.BinarySearch(r.m.columns, d.Column); !ok {
		return nil
	}
	best, probs := r.m.Predict(d)
	if !fitMisplaced(d.Column, best, probs, r.threshold) {
		return nil
	}
	cur, want := r.m.ColumnName(d.Column), r.m.ColumnName(best)
	return []Finding{{
		Rule:     "column_fit",
		Severity: Warning,
		Message: fmt.Sprintf("栏目可能放错：按标题和内容判断，本条信息属于“%s”栏目的可能性为%s，属于当前“%s”栏目的可能性仅%s",
			want, fitPercent(probs[best]), cur, fitPercent(probs[d.Column])),
		Field:      FieldMetadata,
		Part:       "column",
		Text:       cur,
		Suggestion: "建议调整到“" + want + "”栏目",
	}}
}

// fitPercent writes a probability as a whole percentage ("不到1%").
func fitPercent(p float64) string {
	switch {
	case p < 0.01:
		return "不到1%"
	case p > 0.99:
		return "99%以上"
	}
	return fmt.Sprintf("%.0f%%", p*100)
}

// FitReport is a model's measure on held-out entries: top-1 accuracy and
// the share of (well-placed) entries the rule would flag at Threshold.
type FitReport struct {
	Entries     int     `json:"entries"`
	Correct     int     `json:"correct"`
	Accuracy    float64 `json:"accuracy"`
	Threshold   float64 `json:"threshold"`
	Flagged     int     `json:"flagged"`
	FlaggedRate float64 `json:"flagged_rate"`
	// MovedCaught is the share of misplacements the rule would catch: each
	// held-out entry put, in turn, in every other column the model knows.
	MovedCaught float64         `json:"moved_caught"`
	Columns     []FitColumnStat `json:"columns"`   // per column, worst accuracy first
	Confusion   []FitConfusion  `json:"confusion"` // errors, commonest first
}

// FitColumnStat is one column's share of a report.
type FitColumnStat struct {
	Column   string  `json:"column"`
	Entries  int     `json:"entries"`
	Correct  int     `json:"correct"`
	Flagged  int     `json:"flagged"`
	Accuracy float64 `json:"accuracy"`
}

// FitConfusion counts entries of column From predicted as To.
type FitConfusion struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Entries int    `json:"entries"`
}

// Evaluate measures the model on held-out entries, taken to be in their
// right columns, the way the rule sees them (as Documents: no DocType).
func (m *ColumnModel) Evaluate(heldOut []FitExample, threshold float64) FitReport {
	return m.EvaluateThresholds(heldOut, []float64{threshold})[0]
}

// EvaluateThresholds is Evaluate at several thresholds, predicting each
// entry once: the figures to choose a threshold by.
func (m *ColumnModel) EvaluateThresholds(heldOut []FitExample, thresholds []float64) []FitReport {
	type result struct {
		best    string
		flagged []bool
		caught  []int // per threshold: other columns it would be flagged in
	}
	ths := slices.Clone(thresholds)
	for i, th := range ths {
		if th <= 0 {
			ths[i] = DefaultColumnFitThreshold
		}
	}
	res := make([]result, len(heldOut))
	fitParallel(len(heldOut), func(i int) {
		e := heldOut[i]
		best, probs := m.Predict(Document{Title: e.Title, Summary: e.Summary, Body: e.Body, DocNo: e.DocNo, Column: e.Column})
		r := result{best: best, flagged: make([]bool, len(ths)), caught: make([]int, len(ths))}
		for k, th := range ths {
			r.flagged[k] = fitMisplaced(e.Column, best, probs, th)
			for _, c := range m.columns {
				if c != e.Column && fitMisplaced(c, best, probs, th) {
					r.caught[k]++
				}
			}
		}
		res[i] = r
	})
	out := make([]FitReport, len(ths))
	for k, th := range ths {
		rep := FitReport{Entries: len(heldOut), Threshold: th}
		moved, caught := 0, 0
		per := map[string]*FitColumnStat{}
		conf := map[[2]string]int{}
		for i, e := range heldOut {
			s := per[e.Column]
			if s == nil {
				s = &FitColumnStat{Column: e.Column}
				per[e.Column] = s
			}
			s.Entries++
			if res[i].best == e.Column {
				s.Correct++
				rep.Correct++
			} else {
				conf[[2]string{e.Column, res[i].best}]++
			}
			if res[i].flagged[k] {
				s.Flagged++
				rep.Flagged++
			}
			caught += res[i].caught[k]
			moved += len(m.columns) - 1
			if _, known := slices.BinarySearch(m.columns, e.Column); !known {
				moved++
			}
		}
		if moved > 0 {
			rep.MovedCaught = float64(caught) / float64(moved)
		}
		if rep.Entries > 0 {
			rep.Accuracy = float64(rep.Correct) / float64(rep.Entries)
			rep.FlaggedRate = float64(rep.Flagged) / float64(rep.Entries)
		}
		for _, s := range per {
			s.Accuracy = float64(s.Correct) / float64(s.Entries)
			rep.Columns = append(rep.Columns, *s)
		}
		slices.SortFunc(rep.Columns, func(a, b FitColumnStat) int {
			return cmp.Or(cmp.Compare(a.Accuracy, b.Accuracy), strings.Compare(a.Column, b.Column))
		})
		for c, n := range conf {
			rep.Confusion = append(rep.Confusion, FitConfusion{From: c[0], To: c[1], Entries: n})
		}
		slices.SortFunc(rep.Confusion, func(a, b FitConfusion) int {
			return cmp.Or(cmp.Compare(b.Entries, a.Entries), strings.Compare(a.From, b.From), strings.Compare(a.To, b.To))
		})
		out[k] = rep
	}
	return out
}

// fitFormat names the persisted model's layout.
const fitFormat = "gongkai-columnfit/1"

// fitJSON is the persisted model: counts rather than probabilities, so a
// loaded model is exactly the trained one.
type fitJSON struct {
	Format      string            `json:"format"`
	Params      fitParams         `json:"params"`
	Columns     []string          `json:"columns"`
	Names       map[string]string `json:"names"`
	Docs        []int             `json:"docs"`
	Alpha       float64           `json:"alpha"`
	Temperature float64           `json:"temperature"`
	Info        FitInfo           `json:"info"`
	// Terms: each term with its counts as [column position, count] pairs,
	// columns where it was never seen left out.
	Terms []fitJSONTerm `json:"terms"`
}

type fitJSONTerm struct {
	Term   string       `json:"t"`
	Counts [][2]float64 `json:"n"`
}

// Marshal writes the model as JSON. The same model always gives the same
// bytes.
func (m *ColumnModel) Marshal() ([]byte, error) {
	nc := len(m.columns)
	j := fitJSON{Format: fitFormat, Params: m.p, Columns: m.columns, Names: m.names, Docs: m.docs,
		Alpha: m.alpha, Temperature: m.temp, Info: m.info, Terms: make([]fitJSONTerm, len(m.terms))}
	for t, term := range m.terms {
		jt := fitJSONTerm{Term: term}
		for c := 0; c < nc; c++ {
			if n := m.counts[t*nc+c]; n != 0 {
				jt.Counts = append(jt.Counts, [2]float64{float64(c), n})
			}
		}
		j.Terms[t] = jt
	}
	return json.Marshal(j)
}

// UnmarshalColumnModel reads a model written by Marshal. seg is the word
// segmenter to use; nil loads one.
func UnmarshalColumnModel(data []byte, seg *FitSegmenter) (*ColumnModel, error) {
	var j fitJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("checks: column fit model: %w", err)
	}
	if j.Format != fitFormat {
		return nil, fmt.Errorf("checks: column fit model: format %q, want %q", j.Format, fitFormat)
	}
	nc := len(j.Columns)
	if nc < 2 || len(j.Docs) != nc || !slices.IsSorted(j.Columns) || slices.ContainsFunc(j.Docs, func(d int) bool { return d < 0 }) || j.Alpha <= 0 || j.Temperature <= 0 ||
		j.Params.BodyChars <= 0 || j.Params.TitleWeight <= 0 || j.Params.PatternWeight <= 0 {
		return nil, errors.New("checks: column fit model: inconsistent header")
	}
	m := &ColumnModel{p: j.Params, columns: j.Columns, names: j.Names, docs: j.Docs, alpha: j.Alpha, temp: j.Temperature, info: j.Info}
	if m.names == nil {
		m.names = map[string]string{}
	}
	m.terms = make([]string, len(j.Terms))
	m.index = make(map[string]int32, len(j.Terms))
	m.counts = make([]float64, len(j.Terms)*nc)
	m.totals = make([]float64, nc)
	for t, jt := range j.Terms {
		if t > 0 && jt.Term <= j.Terms[t-1].Term {
			return nil, fmt.Errorf("checks: column fit model: terms out of order at %q", jt.Term)
		}
		m.terms[t] = jt.Term
		m.index[jt.Term] = int32(t)
		for _, cn := range jt.Counts {
			c := int(cn[0])
			if float64(c) != cn[0] || c < 0 || c >= nc || cn[1] < 0 || math.IsInf(cn[1], 0) || math.IsNaN(cn[1]) {
				return nil, fmt.Errorf("checks: column fit model: bad count for %q", jt.Term)
			}
			m.counts[t*nc+c] = cn[1]
			m.totals[c] += cn[1]
		}
	}
	if seg == nil {
		var err error
		if seg, err = NewFitSegmenter(); err != nil {
			return nil, err
		}
	}
	m.seg = seg
	m.derive()
	return m, nil
}
