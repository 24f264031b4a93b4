package supervise

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Quarterly bulletins (季度通报). A quarter's bulletin is computed only from
// what the store held as of the quarter's last instant: the supervision
// report as of then (units and catalog trees as they stood, entries that
// stood published), the returns and notices of the quarter, and the spot
// checks drawn in it with the grades given by its end. It is archived as
// JSON with its SHA-256 on first generation; generating it again computes
// it afresh with the archived settings and says whether it is identical.
// The score is documented in docs/supervision-score.md.

// Quarter is a calendar quarter in China's zone.
type Quarter struct {
	Year int
	Q    int // 1 to 4
}

// ParseQuarter reads a quarter written 2026Q2 (or 2026q2, 2026-Q2).
func ParseQuarter(s string) (Quarter, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	bad := catalog.FieldErrors{{Field: "quarter", Reason: fmt.Sprintf("季度 %q 应写作 2026Q2 (a quarter such as 2026Q2)", s)}}
	y, q, ok := strings.Cut(strings.Replace(t, "-Q", "Q", 1), "Q")
	if !ok || len(y) != 4 || len(q) != 1 {
		return Quarter{}, bad
	}
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if err1 != nil || err2 != nil || year < 2000 || year > 2100 || n < 1 || n > 4 {
		return Quarter{}, bad
	}
	return Quarter{year, n}, nil
}

// QuarterOf is the quarter of an instant, in China's zone.
func QuarterOf(t time.Time) Quarter {
	t = t.In(catalog.Shanghai)
	return Quarter{t.Year(), (int(t.Month())-1)/3 + 1}
}

func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// Label is the quarter for people: 2026年第二季度.
func (q Quarter) Label() string {
	return fmt.Sprintf("%d年第%s季度", q.Year, [...]string{"", "一", "二", "三", "四"}[q.Q])
}

// Start is the quarter's first instant.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, catalog.Shanghai)
}

// End is the quarter's last instant, to the millisecond the store keeps.
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, 0).Add(-time.Millisecond) }

// Months are the quarter's three months.
func (q Quarter) Months() []Month {
	m := MonthOf(q.Start())
	return []Month{m, m.Next(), m.Next().Next()}
}

// Prev is the quarter before.
func (q Quarter) Prev() Quarter { return QuarterOf(q.Start().AddDate(0, -3, 0)) }

// The score's parts and their points (docs/supervision-score.md).
const (
	PointsVolume    = 25
	PointsFreshness = 25
	PointsOverdue   = 15
	PointsEmpty     = 10
	PointsReturns   = 10
	PointsSpotCheck = 10
	PointsNotices   = 5

	// FreshGraceDays: a unit that published within this many days of the
	// quarter's end has every freshness point.
	FreshGraceDays = 7
	// CommendTop units at most are commended, each with at least
	// CommendMinScore points, not criticised, and having published in the
	// quarter.
	CommendTop      = 3
	CommendMinScore = 90
)

// ScoreVersion names the formula a bulletin was scored with.
const ScoreVersion = 1

// ScoreFacts are what one unit's score reads.
type ScoreFacts struct {
	Recent         int  // entries published in the volume window ending at the quarter's end
	VolumeMin      int  // the unit kind's minimum for that window
	NeverPublished bool // nothing stood published at the quarter's end
	DaysSilent     int  // calendar days since the last publish
	OverdueColumns int
	EmptyColumns   int
	Published      int // entries published in the quarter
	Returns        int // entries returned in the quarter
	SpotGraded     int // drawn entries graded by the quarter's end
	SpotPassed     int
	NoticesOpen    int // notices open at the quarter's end
	NoticesOverdue int // of them, past their deadline then
}

// ScoreParts are a unit's points by part, to one decimal.
type ScoreParts struct {
	Volume    float64 `json:"volume"`
	Freshness float64 `json:"freshness"`
	Overdue   float64 `json:"overdue_columns"`
	Empty     float64 `json:"empty_columns"`
	Returns   float64 `json:"returns"`
	SpotCheck float64 `json:"spot_checks"`
	Notices   float64 `json:"notices"`
}

// tenths is points × num/den in tenths of a point, num clamped to
// [0, den] and rounded half up in integers; den ≤ 0 gives every point.
func tenths(points, num, den int) int {
	if den <= 0 {
		return points * 10
	}
	num = min(max(num, 0), den)
	return (20*points*num + den) / (2 * den)
}

// Score computes a unit's score: each part's points, and their sum (out
// of 100), to one decimal. It is the formula of docs/supervision-score.md.
func Score(f ScoreFacts, set Settings) (ScoreParts, float64) {
	vol := tenths(PointsVolume, f.Recent, f.VolumeMin)
	var fresh int
	switch s := set.SilentDays; {
	case f.NeverPublished:
		fresh = 0
	case s <= FreshGraceDays:
		if f.DaysSilent <= s {
			fresh = PointsFreshness * 10
		}
	default:
		fresh = tenths(PointsFreshness, s-f.DaysSilent, s-FreshGraceDays)
	}
	over := tenths(PointsOverdue, set.NationalOverdueFailAt-f.OverdueColumns, set.NationalOverdueFailAt)
	empty := tenths(PointsEmpty, set.NationalEmptyFailAt-f.EmptyColumns, set.NationalEmptyFailAt)
	ret := tenths(PointsReturns, f.Published, f.Published+f.Returns)
	spot := tenths(PointsSpotCheck, f.SpotPassed, f.SpotGraded)
	notices := tenths(PointsNotices, 2-f.NoticesOpen-f.NoticesOverdue, 2)
	p := ScoreParts{Volume: pts(vol), Freshness: pts(fresh), Overdue: pts(over), Empty: pts(empty), Returns: pts(ret),
		SpotCheck: pts(spot), Notices: pts(notices)}
	return p, pts(vol + fresh + over + empty + ret + spot + notices)
}

func pts(tenths int) float64 { return float64(tenths) / 10 }

// BulletinData is a quarter's bulletin: everything its page, its DOCX and
// its XLSX show. Its JSON is what is archived and hashed, so it holds no
// instant of its own making.
type BulletinData struct {
	Version    int              `json:"version"`
	Quarter    string           `json:"quarter"`
	Title      string           `json:"title"`
	Issuer     string           `json:"issuer"`
	From       string           `json:"from"`
	To         string           `json:"to"`
	AsOf       string           `json:"as_of"`
	Months     []string         `json:"months"`
	Settings   Settings         `json:"settings"`
	Overview   BulletinOverview `json:"overview"`
	Units      []BulletinUnit   `json:"units"` // the league table, best first
	Criticised []Criticism      `json:"criticised"`
	Commended  []Commendation   `json:"commended"`
	Spot       BulletinSpot     `json:"spot_checks"`
	National   National         `json:"national"`
}

// BulletinOverview are the bulletin's overview figures.
type BulletinOverview struct {
	Units          int      `json:"units"`
	Published      int      `json:"published_in_quarter"`
	Standing       int      `json:"published_total"`
	SilentUnits    int      `json:"silent_units"`
	LowVolumeUnits int      `json:"low_volume_units"`
	OverdueColumns int      `json:"overdue_columns"`
	EmptyColumns   int      `json:"empty_columns"`
	Returns        int      `json:"returns"`
	NoticesRaised  int      `json:"notices_raised"`
	NoticesClosed  int      `json:"notices_closed"`
	NoticesOpen    int      `json:"notices_open"`
	NoticesOverdue int      `json:"notices_overdue"`
	SpotSampled    int      `json:"spot_sampled"`
	SpotGraded     int      `json:"spot_graded"`
	SpotPassed     int      `json:"spot_passed"`
	SpotPassRate   *float64 `json:"spot_pass_rate"`
	AverageScore   float64  `json:"average_score"`
}

// ColumnName names a column.
type ColumnName struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// SpotTally is a unit's (or the city's) spot checks in the quarter.
type SpotTally struct {
	Sampled    int            `json:"sampled"`
	Graded     int            `json:"graded"`
	Passed     int            `json:"passed"`
	Problems   int            `json:"problems"`
	PassRate   *float64       `json:"pass_rate"`
	ByCategory map[string]int `json:"by_category"`
}

// PassRateLabel writes the pass rate for people.
func (t SpotTally) PassRateLabel() string { return Rollup{PassRate: t.PassRate}.PassRateLabel() }

// NoticeCounts are a unit's notices in the quarter.
type NoticeCounts struct {
	Raised  int `json:"raised"`
	Closed  int `json:"closed"`
	Open    int `json:"open_at_end"`
	Overdue int `json:"overdue_at_end"`
}

// BulletinUnit is one line of the league table.
type BulletinUnit struct {
	Rank          int           `json:"rank"`
	Unit          string        `json:"unit"`
	Name          string        `json:"unit_name"`
	Kind          string        `json:"kind"`
	Score         float64       `json:"score"`
	Parts         ScoreParts    `json:"parts"`
	Published     int           `json:"published_in_quarter"`
	ByMonth       []int         `json:"published_by_month"`
	Standing      int           `json:"published_total"`
	Recent        int           `json:"recent"`
	VolumeMin     int           `json:"volume_min"`
	LastPublish   string        `json:"last_publish"`
	DaysSilent    int           `json:"days_silent"`
	Silent        bool          `json:"silent"`
	LowVolume     bool          `json:"low_volume"`
	Columns       int           `json:"columns"`
	Overdue       []ColumnName  `json:"overdue_columns"`
	Empty         []ColumnName  `json:"empty_columns"`
	Returns       int           `json:"returns"`
	ReturnReasons []ReasonCount `json:"return_reasons"`
	Spot          SpotTally     `json:"spot_checks"`
	Notices       NoticeCounts  `json:"notices"`
}

// Criticism is a unit criticised (通报批评), with why.
type Criticism struct {
	Unit    string   `json:"unit"`
	Name    string   `json:"unit_name"`
	Reasons []string `json:"reasons"`
}

// Commendation is a unit commended (通报表扬).
type Commendation struct {
	Unit   string  `json:"unit"`
	Name   string  `json:"unit_name"`
	Rank   int     `json:"rank"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

// BulletinSpot is the quarter's spot checks: per sample month, in total
// and by category.
type BulletinSpot struct {
	Months     []SpotMonthTally `json:"months"`
	Total      SpotTally        `json:"total"`
	Categories []CategoryCount  `json:"categories"`
}

// SpotMonthTally is one sample month drawn in the quarter.
type SpotMonthTally struct {
	Month string `json:"month"`
	Label string `json:"label"`
	SpotTally
}

// BulletinInput is what a bulletin is built from, read as of the
// quarter's end.
type BulletinInput struct {
	Report     *Report             // the supervision report as of the quarter's end
	ByMonth    map[string][]int    // entries published per unit in each month of the quarter
	Returns    []store.Return      // the returns of the quarter
	Spot       []store.SpotRollup  // per unit: drawn in the quarter, graded by its end
	SpotMonths []store.SpotRollup  // the same per unit and sample month
	Notices    []store.NoticeTally // per unit
	Overdue    []store.Notice      // open and past their deadline at the quarter's end
}

// BuildBulletin builds a quarter's bulletin from its input. It reads no
// clock: the same input and settings always build the same bulletin.
func BuildBulletin(q Quarter, in BulletinInput, set Settings) *BulletinData {
	rep := in.Report
	d := &BulletinData{Version: ScoreVersion, Quarter: q.String(), Title: q.Label() + "全市政府信息公开工作情况通报", Issuer: set.Issuer,
		From: Day(q.Start()).Format(time.DateOnly), To: Day(q.End()).Format(time.DateOnly),
		AsOf: q.End().In(catalog.Shanghai).Format("2006-01-02T15:04:05.000Z07:00"), Settings: set,
		Units: []BulletinUnit{}, Criticised: []Criticism{}, Commended: []Commendation{}, National: rep.National}
	for _, m := range q.Months() {
		d.Months = append(d.Months, m.String())
	}
	returns := map[string][]store.Return{}
	for _, r := range in.Returns {
		returns[r.Unit] = append(returns[r.Unit], r)
	}
	spot := map[string]store.SpotRollup{}
	for _, r := range in.Spot {
		spot[r.Unit] = r
	}
	notices := map[string]store.NoticeTally{}
	for _, n := range in.Notices {
		notices[n.Unit] = n
	}
	overdue := map[string][]store.Notice{}
	for _, n := range in.Overdue {
		overdue[n.Unit] = append(overdue[n.Unit], n)
	}
	o := &d.Overview
	var scoreSum int
	for _, u := range rep.Units {
		bu := BulletinUnit{Unit: u.Unit, Name: u.Name, Kind: u.Kind, Standing: u.Published, Recent: u.Recent, VolumeMin: u.VolumeMin,
			DaysSilent: u.DaysSilent, Silent: u.Silent, LowVolume: u.LowVolume, Columns: len(u.Columns),
			Overdue: []ColumnName{}, Empty: []ColumnName{}, ByMonth: make([]int, 3)}
		copy(bu.ByMonth, in.ByMonth[u.Unit])
		for _, n := range bu.ByMonth {
			bu.Published += n
		}
		if u.LastPublish != nil {
			bu.LastPublish = Day(*u.LastPublish).Format(time.DateOnly)
		}
		for _, c := range u.Columns {
			if c.Overdue {
				bu.Overdue = append(bu.Overdue, ColumnName{c.Code, c.Name})
			}
			if c.Empty {
				bu.Empty = append(bu.Empty, ColumnName{c.Code, c.Name})
			}
		}
		bu.Returns = len(returns[u.Unit])
		bu.ReturnReasons = reasonCounts(returns[u.Unit], 3)
		sr := spot[u.Unit]
		bu.Spot = tallyOf(sr)
		nt := notices[u.Unit]
		bu.Notices = NoticeCounts{Raised: nt.Raised, Closed: nt.Closed, Open: nt.Open, Overdue: nt.Overdue}
		parts, score := Score(ScoreFacts{Recent: u.Recent, VolumeMin: u.VolumeMin, NeverPublished: u.LastPublish == nil,
			DaysSilent: u.DaysSilent, OverdueColumns: len(bu.Overdue), EmptyColumns: len(bu.Empty), Published: bu.Published,
			Returns: bu.Returns, SpotGraded: sr.Graded, SpotPassed: sr.Passed, NoticesOpen: nt.Open, NoticesOverdue: nt.Overdue}, set)
		bu.Parts, bu.Score = parts, score
		scoreSum += int(math.Round(score * 10))
		d.Units = append(d.Units, bu)

		o.Units++
		o.Published += bu.Published
		o.Standing += bu.Standing
		o.OverdueColumns += len(bu.Overdue)
		o.EmptyColumns += len(bu.Empty)
		o.Returns += bu.Returns
		o.NoticesRaised += nt.Raised
		o.NoticesClosed += nt.Closed
		o.NoticesOpen += nt.Open
		o.NoticesOverdue += nt.Overdue
		o.SpotSampled += sr.Sampled
		o.SpotGraded += sr.Graded
		o.SpotPassed += sr.Passed
		if u.Silent {
			o.SilentUnits++
		}
		if u.LowVolume {
			o.LowVolumeUnits++
		}

		// 通报批评: silent at the quarter's end, or notices left past
		// their deadline.
		var reasons []string
		if b, ok := u.Breach(RuleSilent); ok {
			reasons = append(reasons, b.Facts...)
		}
		for _, n := range overdue[u.Unit] {
			reasons = append(reasons, fmt.Sprintf("督办通知%s（%s）整改期限为%s，截至%s仍未办结。", n.Number, RuleLabel(n.Rule),
				DateCN(n.DueAt()), DateCN(q.End())))
		}
		if len(reasons) > 0 {
			d.Criticised = append(d.Criticised, Criticism{Unit: u.Unit, Name: u.Name, Reasons: reasons})
		}
	}
	o.SpotPassRate = passRate(o.SpotPassed, o.SpotGraded)
	if o.Units > 0 {
		o.AverageScore = pts((scoreSum + o.Units/2) / o.Units)
	}

	sort.SliceStable(d.Units, func(i, j int) bool {
		if d.Units[i].Score != d.Units[j].Score {
			return d.Units[i].Score > d.Units[j].Score
		}
		return d.Units[i].Unit < d.Units[j].Unit
	})
	criticised := map[string]bool{}
	for _, c := range d.Criticised {
		criticised[c.Unit] = true
	}
	for i := range d.Units {
		u := &d.Units[i]
		u.Rank = i + 1
		if len(d.Commended) < CommendTop && u.Score >= CommendMinScore && !criticised[u.Unit] && u.Published > 0 {
			d.Commended = append(d.Commended, Commendation{Unit: u.Unit, Name: u.Name, Rank: u.Rank, Score: u.Score,
				Reason: fmt.Sprintf("综合得分 %s 分，位列第 %d 名；本季度发布信息 %d 条。", ScoreLabel(u.Score), u.Rank, u.Published)})
		}
	}

	// The spot checks drawn in the quarter, by sample month.
	months := map[string]*SpotMonthTally{}
	var order []string
	for _, r := range in.SpotMonths {
		mt, ok := months[r.Month]
		if !ok {
			label := r.Month
			if m, err := ParseMonth(r.Month); err == nil {
				label = m.Label()
			}
			mt = &SpotMonthTally{Month: r.Month, Label: label, SpotTally: SpotTally{ByCategory: map[string]int{}}}
			months[r.Month] = mt
			order = append(order, r.Month)
		}
		mt.SpotTally.add(tallyOf(r))
	}
	sort.Strings(order)
	d.Spot.Months = []SpotMonthTally{}
	d.Spot.Total = SpotTally{ByCategory: map[string]int{}}
	for _, m := range order {
		d.Spot.Months = append(d.Spot.Months, *months[m])
		d.Spot.Total.add(months[m].SpotTally)
	}
	for _, c := range Categories {
		d.Spot.Categories = append(d.Spot.Categories, CategoryCount{c.Code, c.Label, d.Spot.Total.ByCategory[c.Code]})
	}
	return d
}

func tallyOf(r store.SpotRollup) SpotTally {
	t := SpotTally{Sampled: r.Sampled, Graded: r.Graded, Passed: r.Passed, Problems: r.Problems, ByCategory: map[string]int{}}
	for _, c := range Categories {
		t.ByCategory[c.Code] = r.ByCategory[c.Code]
	}
	t.PassRate = passRate(t.Passed, t.Graded)
	return t
}

func (t *SpotTally) add(o SpotTally) {
	t.Sampled += o.Sampled
	t.Graded += o.Graded
	t.Passed += o.Passed
	t.Problems += o.Problems
	for k, v := range o.ByCategory {
		t.ByCategory[k] += v
	}
	t.PassRate = passRate(t.Passed, t.Graded)
}

// reasonCounts counts return reasons, most frequent first, at most n.
func reasonCounts(rs []store.Return, n int) []ReasonCount {
	counts := map[string]int{}
	for _, r := range rs {
		reason := strings.TrimSpace(r.Reason)
		if reason == "" {
			reason = "（未说明理由）"
		}
		counts[reason]++
	}
	out := []ReasonCount{}
	for r, c := range counts {
		out = append(out, ReasonCount{Reason: r, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// ScoreLabel writes points to one decimal: 87.5.
func ScoreLabel(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// Bulletin computes a quarter's bulletin with the given settings from
// what the store held as of the quarter's end.
func (s *Service) Bulletin(ctx context.Context, q Quarter, set Settings) (*BulletinData, error) {
	in, err := s.bulletinInput(ctx, q, set)
	if err != nil {
		return nil, err
	}
	return BuildBulletin(q, in, set), nil
}

func (s *Service) bulletinInput(ctx context.Context, q Quarter, set Settings) (BulletinInput, error) {
	end := q.End()
	var in BulletinInput
	var ri Input
	var err error
	if ri.Units, err = s.st.UnitsAsOf(ctx, end); err != nil {
		return in, err
	}
	if ri.Columns, err = s.st.LeafColumnsAsOf(ctx, end); err != nil {
		return in, err
	}
	window := WindowStart(end, set)
	if ri.Stats, err = s.st.PublishStats(ctx, end, window.Add(-time.Millisecond), nil); err != nil {
		return in, err
	}
	if ri.Returns, err = s.st.Returns(ctx, window.Add(-time.Millisecond), end); err != nil {
		return in, err
	}
	// The quality gate's summary is left out: it is only ever the latest,
	// never as of a past instant.
	in.Report = Evaluate(ri, end, set)

	months := q.Months()
	bounds := []time.Time{months[0].Start(), months[1].Start(), months[2].Start(), end.Add(time.Millisecond)}
	counts, err := s.st.PublishCounts(ctx, bounds, end, nil)
	if err != nil {
		return in, err
	}
	in.ByMonth = map[string][]int{}
	for _, c := range counts {
		if in.ByMonth[c.Unit] == nil {
			in.ByMonth[c.Unit] = make([]int, 3)
		}
		if c.Bucket >= 0 && c.Bucket < 3 {
			in.ByMonth[c.Unit][c.Bucket] = c.Count
		}
	}
	if in.Returns, err = s.st.Returns(ctx, q.Start().Add(-time.Millisecond), end); err != nil {
		return in, err
	}
	sq := store.SpotRollupQuery{DrawnFrom: q.Start(), DrawnTo: end, GradedBy: end, Categories: categoryCodes()}
	if in.Spot, err = s.st.SpotRollups(ctx, sq); err != nil {
		return in, err
	}
	sq.PerMonth = true
	if in.SpotMonths, err = s.st.SpotRollups(ctx, sq); err != nil {
		return in, err
	}
	if in.Notices, err = s.st.NoticeTallies(ctx, q.Start(), end); err != nil {
		return in, err
	}
	if in.Overdue, err = s.st.NoticesOverdueAt(ctx, end); err != nil {
		return in, err
	}
	return in, nil
}

// EncodeBulletin is a bulletin's archived form: its JSON and the hex
// SHA-256 of those bytes.
func EncodeBulletin(d *BulletinData) ([]byte, string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, "", fmt.Errorf("supervise: encode bulletin: %w", err)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

// DecodeBulletin reads an archived bulletin's data.
func DecodeBulletin(b store.Bulletin) (*BulletinData, error) {
	var d BulletinData
	if err := json.Unmarshal([]byte(b.Data), &d); err != nil {
		return nil, fmt.Errorf("supervise: archived bulletin %s: %w", b.Quarter, err)
	}
	return &d, nil
}

// Generated is what generating a quarter's bulletin did.
type Generated struct {
	Quarter  Quarter
	Archived store.Bulletin
	// New: this generation archived the bulletin. Otherwise it was
	// computed again and compared with the archive.
	New         bool
	Identical   bool
	FreshSHA    string
	Differences []string // the parts that differ, for people
}

// GenerateBulletin generates an ended quarter's bulletin. The first time
// it is archived (JSON and SHA-256), audited; after that it is computed
// again with the settings archived with it and compared byte for byte,
// and the comparison is audited.
func (s *Service) GenerateBulletin(ctx context.Context, c auth.Caller, q Quarter) (*Generated, error) {
	if err := auth.CanSupervise(c.P); err != nil {
		return nil, s.refuse(ctx, c, "bulletin.generate", "bulletin", q.String(), "", err)
	}
	now := s.Now()
	if !now.After(q.End()) {
		return nil, catalog.FieldErrors{{Field: "quarter", Reason: fmt.Sprintf("%s尚未结束，季度通报须在季度结束后生成 (the quarter has not ended)", q.Label())}}
	}
	g, err := s.CompareBulletin(ctx, q)
	if err == nil {
		err = s.st.WithTx(ctx, func(t *store.Tx) error {
			_, err := t.AppendAudit(ctx, audit.Record{At: now, Actor: c.Actor(), Action: "bulletin.verify", ObjectKind: "bulletin",
				ObjectID: q.String(), Summary: audit.Change(nil, map[string]any{"archived_sha256": g.Archived.SHA256,
					"sha256": g.FreshSHA, "identical": g.Identical, "differences": g.Differences})})
			return err
		})
		return g, err
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.Bulletin(ctx, q, set)
	if err != nil {
		return nil, err
	}
	data, sum, err := EncodeBulletin(d)
	if err != nil {
		return nil, err
	}
	b := store.Bulletin{Quarter: q.String(), GeneratedAtMS: store.Millis(now), GeneratedBy: c.Actor().Name(), Data: string(data), SHA256: sum}
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		if err := t.InsertBulletin(ctx, b); err != nil {
			return err
		}
		_, err := t.AppendAudit(ctx, audit.Record{At: now, Actor: c.Actor(), Action: "bulletin.generate", ObjectKind: "bulletin",
			ObjectID: q.String(), Summary: audit.Change(nil, map[string]any{"sha256": sum, "bytes": len(data), "units": len(d.Units),
				"score_version": ScoreVersion})})
		return err
	})
	if errors.Is(err, store.ErrBulletinArchived) {
		return s.GenerateBulletin(ctx, c, q) // archived meanwhile: compare with it
	}
	if err != nil {
		return nil, err
	}
	return &Generated{Quarter: q, Archived: b, New: true, Identical: true, FreshSHA: sum}, nil
}

// CompareBulletin computes an archived quarter's bulletin again, with the
// settings archived with it, and compares it with the archive (nothing is
// stored). store.ErrNotFound when the quarter is not archived.
func (s *Service) CompareBulletin(ctx context.Context, q Quarter) (*Generated, error) {
	b, err := s.st.Bulletin(ctx, q.String())
	if err != nil {
		return nil, err
	}
	old, err := DecodeBulletin(b)
	if err != nil {
		return nil, err
	}
	fresh, err := s.Bulletin(ctx, q, old.Settings)
	if err != nil {
		return nil, err
	}
	data, sum, err := EncodeBulletin(fresh)
	if err != nil {
		return nil, err
	}
	g := &Generated{Quarter: q, Archived: b, FreshSHA: sum, Identical: sum == b.SHA256 && bytes.Equal(data, []byte(b.Data))}
	if !g.Identical {
		g.Differences = DiffBulletins(old, fresh)
	}
	return g, nil
}

// ArchivedBulletin reads an archived quarter's bulletin and its data.
func (s *Service) ArchivedBulletin(ctx context.Context, q Quarter) (store.Bulletin, *BulletinData, error) {
	b, err := s.st.Bulletin(ctx, q.String())
	if err != nil {
		return b, nil, err
	}
	d, err := DecodeBulletin(b)
	return b, d, err
}

// Bulletins lists the archived bulletins, newest quarter first.
func (s *Service) Bulletins(ctx context.Context) ([]store.Bulletin, error) {
	return s.st.Bulletins(ctx)
}

// DiffBulletins names, for people, the parts in which two bulletins of a
// quarter differ.
func DiffBulletins(a, b *BulletinData) []string {
	same := func(x, y any) bool {
		bx, _ := json.Marshal(x)
		by, _ := json.Marshal(y)
		return bytes.Equal(bx, by)
	}
	var out []string
	if !same(a.Settings, b.Settings) || a.Version != b.Version || a.Title != b.Title || a.Issuer != b.Issuer {
		out = append(out, "通报设置或标题")
	}
	if !same(a.Overview, b.Overview) {
		out = append(out, "概况数据")
	}
	if !same(a.National, b.National) {
		out = append(out, "全国检查指标自查")
	}
	au, bu := map[string]BulletinUnit{}, map[string]BulletinUnit{}
	for _, u := range a.Units {
		au[u.Unit] = u
	}
	for _, u := range b.Units {
		bu[u.Unit] = u
	}
	for _, u := range a.Units {
		o, ok := bu[u.Unit]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("单位“%s”不在重新生成的结果中", u.Name))
		case !same(u, o):
			out = append(out, fmt.Sprintf("单位“%s”的得分、排名或数据", u.Name))
		}
	}
	for _, u := range b.Units {
		if _, ok := au[u.Unit]; !ok {
			out = append(out, fmt.Sprintf("重新生成的结果多出单位“%s”", u.Name))
		}
	}
	if !same(a.Criticised, b.Criticised) {
		out = append(out, "通报批评名单")
	}
	if !same(a.Commended, b.Commended) {
		out = append(out, "通报表扬名单")
	}
	if !same(a.Spot, b.Spot) {
		out = append(out, "月度抽查结果")
	}
	if len(out) == 0 {
		out = append(out, "数据编码")
	}
	return out
}
