package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// cst is China Standard Time. A fixed zone avoids depending on the tz
// database of the machine that runs the demo.
var cst = time.FixedZone("CST", 8*3600)

// catalogStart is the first day of the demo catalog.
var catalogStart = time.Date(2018, 1, 1, 0, 0, 0, 0, cst)

type entryStatus uint8

const (
	statusPublished entryStatus = iota
	statusWithdrawn
	statusDraft
)

func (s entryStatus) String() string {
	switch s {
	case statusWithdrawn:
		return "withdrawn"
	case statusDraft:
		return "draft"
	}
	return "published"
}

// plannedEntry is the skeleton of an entry: everything that other entries
// or the ordering depend on. Bodies are produced later, one entry at a
// time, so the whole catalog never has to sit in memory as text.
type plannedEntry struct {
	unit    int16
	col     colID
	status  entryStatus
	variant uint8
	form    uint8 // index into interpretationForms, for zcjd
	subject int16 // index into the unit's Subjects
	param   int   // variant-specific number, e.g. the report year
	at      time.Time
	written time.Time
	related int32 // index of the interpreted policy, or -1
	interp  int32 // index of the interpretation of a policy, or -1

	id, title string
	// name is what the title is built around: the policy's own name for
	// 印发 notices and interpretations, a project, a hazard, an item.
	name                           string
	docNo, docKind                 string // 文号 and its kind (发, 字), set when numbered
	docType, topic, five, validity string
}

func (p *plannedEntry) u() *unitProfile { return &units[p.unit] }

// planner turns Options into the ordered list of planned entries.
type planner struct {
	r       *rand.Rand
	now     time.Time
	entries []plannedEntry
	titles  map[string]bool // titles planned so far
	// unitPick holds, per column, cumulative unit weights for sampling.
	unitPick [numColumns][]float64
}

// planEntries plans n entries and returns them in publication order.
func planEntries(seed int64, n int, now time.Time) []plannedEntry {
	pl := &planner{r: newRand(seed, "plan"), now: now, titles: map[string]bool{}}
	pl.prepareUnitWeights()
	counts := pl.columnCounts(n)

	for c := colID(0); c < numColumns; c++ {
		if c == colZcjd {
			continue // interpretations follow their policies, below
		}
		if leafColumns[c].PerUnitYear {
			pl.planPerUnitYear(c, counts[c])
			continue
		}
		for i := 0; i < counts[c]; i++ {
			pl.add(c, pl.pickUnit(c), pl.randomTime(catalogStart, now))
		}
	}
	pl.coverAllUnits()
	pl.markDrafts(n)
	for i := range pl.entries {
		pl.describe(&pl.entries[i])
	}
	pl.planInterpretations(counts[colZcjd])
	pl.markWithdrawn(n)
	return pl.finish()
}

// columnCounts spreads n entries over the columns by weight. Columns of
// the once-a-year kind cannot hold more than one entry per unit and year;
// what does not fit goes to 通知公告, the busiest column.
func (pl *planner) columnCounts(n int) [numColumns]int {
	var counts [numColumns]int
	total := 0
	for _, c := range leafColumns {
		total += c.Weight
	}
	used := 0
	for c := range counts {
		counts[c] = n * leafColumns[c].Weight / total
		if counts[c] == 0 && n >= int(numColumns) {
			counts[c] = 1
		}
		if leafColumns[c].PerUnitYear {
			counts[c] = min(counts[c], len(pl.unitYears(colID(c))))
		}
		used += counts[c]
	}
	counts[colTzgg] += n - used
	if counts[colTzgg] < 0 {
		// Only possible for tiny n: take the excess from the largest columns.
		for counts[colTzgg] < 0 {
			big := 0
			for c := range counts {
				if counts[c] > counts[big] {
					big = c
				}
			}
			counts[big]--
			counts[colTzgg]++
		}
	}
	return counts
}

// unitYears lists the (unit, year) slots of a once-a-year column. The
// annual report for year Y appears in January of Y+1.
func (pl *planner) unitYears(c colID) [][2]int {
	var out [][2]int
	for y := catalogStart.Year(); y <= pl.now.Year(); y++ {
		if c == colGknb && time.Date(y, 1, 31, 17, 0, 0, 0, cst).After(pl.now) {
			continue
		}
		for u := range units {
			out = append(out, [2]int{u, y})
		}
	}
	return out
}

func (pl *planner) planPerUnitYear(c colID, n int) {
	slots := pickN(pl.r, pl.unitYears(c), n)
	// Sorting the chosen slots keeps the output independent of Perm's
	// internal order beyond the choice itself.
	slices.SortFunc(slots, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
	for _, s := range slots {
		var t time.Time
		if c == colGknb {
			t = pl.workTime(time.Date(s[1], 1, between(pl.r, 8, 29), 0, 0, 0, 0, cst))
		} else {
			from := time.Date(s[1], 1, 1, 0, 0, 0, 0, cst)
			to := time.Date(s[1]+1, 1, 1, 0, 0, 0, 0, cst)
			t = pl.randomTime(from, to)
		}
		e := pl.add(c, s[0], t)
		if c == colGknb {
			e.param = s[1] - 1
		}
	}
}

func (pl *planner) add(c colID, unit int, at time.Time) *plannedEntry {
	pl.entries = append(pl.entries, plannedEntry{
		unit: int16(unit), col: c, at: at, related: -1, interp: -1,
	})
	return &pl.entries[len(pl.entries)-1]
}

// affinity says how much more (or less) than its share a unit publishes in
// a column: statistics come mostly from the statistics bureau, major
// projects from the planning and construction bodies, and so on.
func affinity(code string, c colID) float64 {
	switch c {
	case colTjsj:
		switch code {
		case "tjj":
			return 8
		case "czj", "rsj", "jtj":
			return 2
		case "gxq", "jkq", "lgq", "scq", "msq", "zbq":
			return 1.5
		}
	case colZdxm:
		switch code {
		case "fgw":
			return 5
		case "zjj", "jtj", "slj", "zrzyj", "cgj":
			return 3
		case "gxq", "jkq", "lgq", "scq", "msq", "zbq", "ggzyjy":
			return 2
		case "jyj", "wjw", "sthjj", "nyj":
			return 0.8
		}
		return 0.05
	case colGgzy:
		switch code {
		case "ggzyjy":
			return 5
		case "zrzyj", "czj":
			return 2
		}
	case colYjgl:
		switch code {
		case "yjj":
			return 6
		case "qxj", "slj":
			return 3
		case "wjw", "sthjj", "zfb", "scjgj", "zjj":
			return 2
		}
	case colGfxwj:
		switch code {
		case "zfb":
			return 3
		case "jgswj", "ggzyjy", "qxj", "dag", "cl", "gxs":
			return 0.3
		}
	case colCzzj:
		if code == "czj" {
			return 4
		}
	case colGgfw:
		switch code {
		case "spj":
			return 4
		case "gjj", "rsj", "ybj", "gaj":
			return 2
		}
	}
	return 1
}

func (pl *planner) prepareUnitWeights() {
	for c := colID(0); c < numColumns; c++ {
		cum := make([]float64, len(units))
		sum := 0.0
		for i := range units {
			sum += units[i].Weight * affinity(units[i].Code, c)
			cum[i] = sum
		}
		pl.unitPick[c] = cum
	}
}

func (pl *planner) pickUnit(c colID) int {
	cum := pl.unitPick[c]
	x := pl.r.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

// randomTime draws a working-hours publication time in [from, to), with
// somewhat more entries in later years, as disclosure grew over time.
func (pl *planner) randomTime(from, to time.Time) time.Time {
	if to.After(pl.now) {
		to = pl.now
	}
	span := to.Sub(from)
	if span <= 0 {
		return pl.clamp(from)
	}
	// Density 1+g·x on [0,1]; inverse of its CDF.
	const g = 0.6
	u := pl.r.Float64()
	x := (-1 + math.Sqrt(1+2*g*(1+g/2)*u)) / g
	t := from.Add(time.Duration(x * float64(span)))
	return pl.workTime(t)
}

// workTime moves t onto a weekday between 08:30 and 17:55, then clamps it
// to the catalog's span.
func (pl *planner) workTime(t time.Time) time.Time {
	t = t.In(cst)
	switch t.Weekday() {
	case time.Saturday:
		t = t.AddDate(0, 0, -1)
	case time.Sunday:
		t = t.AddDate(0, 0, 1)
	}
	minute := between(pl.r, 102, 215) * 5 // 08:30 .. 17:55
	t = time.Date(t.Year(), t.Month(), t.Day(), minute/60, minute%60, 0, 0, cst)
	return pl.clamp(t)
}

func (pl *planner) clamp(t time.Time) time.Time {
	if t.After(pl.now) {
		t = pl.now.Add(-time.Duration(between(pl.r, 10, 600)) * time.Minute).Truncate(time.Minute)
	}
	if t.Before(catalogStart) {
		t = catalogStart.Add(time.Duration(between(pl.r, 510, 1070)) * time.Minute)
	}
	return t
}

// coverAllUnits makes sure every unit has entries even when n is small, by
// handing entries of the busiest unit to the idle ones.
func (pl *planner) coverAllUnits() {
	count := make([]int, len(units))
	for i := range pl.entries {
		count[pl.entries[i].unit]++
	}
	for u := range units {
		if count[u] > 0 {
			continue
		}
		busiest := 0
		for v := range count {
			if count[v] > count[busiest] {
				busiest = v
			}
		}
		for i := range pl.entries {
			e := &pl.entries[i]
			if int(e.unit) == busiest && !leafColumns[e.col].PerUnitYear {
				e.unit = int16(u)
				count[busiest]--
				count[u]++
				break
			}
		}
	}
}

// markDrafts turns about 0.5% of the entries into drafts started in the
// last weeks: drafts are work in progress, not old forgotten documents.
func (pl *planner) markDrafts(n int) {
	want := n / 200
	if want == 0 && n >= 50 {
		want = 1
	}
	var cands []int
	for i := range pl.entries {
		switch pl.entries[i].col {
		case colTzgg, colZcwj, colYjzj, colGgfw, colTjsj, colJhzj, colGgzy:
			cands = append(cands, i)
		}
	}
	for _, i := range pickN(pl.r, cands, want) {
		e := &pl.entries[i]
		e.status = statusDraft
		from := pl.now.AddDate(0, 0, -45)
		if from.Before(catalogStart) {
			from = catalogStart
		}
		e.at = pl.randomTime(from, pl.now)
	}
}

// planInterpretations adds n 政策解读 entries, each explaining an earlier
// policy document of the same unit.
func (pl *planner) planInterpretations(n int) {
	var cands []int
	limit := pl.now.Add(-36 * time.Hour)
	for i := range pl.entries {
		e := &pl.entries[i]
		if (e.col == colZcwj || e.col == colGfxwj) && e.status == statusPublished && e.at.Before(limit) {
			cands = append(cands, i)
		}
	}
	chosen := pickN(pl.r, cands, n)
	slices.Sort(chosen) // stable order of creation
	for _, pi := range chosen {
		policy := &pl.entries[pi]
		at := policy.at.AddDate(0, 0, between(pl.r, 1, 10))
		at = pl.workTime(at)
		if !at.After(policy.at) {
			at = policy.at.Add(2 * time.Hour)
		}
		e := pl.add(colZcjd, int(policy.unit), at)
		e.related = int32(pi)
		e.form = uint8(pickWeighted(pl.r, interpretationFormWeights))
		policy = &pl.entries[pi] // add may have moved the slice
		policy.interp = int32(len(pl.entries) - 1)
		pl.describe(e)
	}
	// Too few policies (tiny catalogs): fill up with notices.
	for i := len(chosen); i < n; i++ {
		e := pl.add(colTzgg, pl.pickUnit(colTzgg), pl.randomTime(catalogStart, pl.now))
		pl.describe(e)
	}
}

// markWithdrawn withdraws about 1% of the published entries. Policies that
// have an interpretation stay, so the pair keeps making sense.
func (pl *planner) markWithdrawn(n int) {
	want := n / 100
	if want == 0 && n >= 50 {
		want = 1
	}
	var cands []int
	for i := range pl.entries {
		e := &pl.entries[i]
		if e.status == statusPublished && e.interp < 0 && e.col != colGknb && e.col != colZcjd {
			cands = append(cands, i)
		}
	}
	for _, i := range pickN(pl.r, cands, want) {
		pl.entries[i].status = statusWithdrawn
	}
}

// finish orders the entries by publication time and numbers them: ids per
// unit and year, and 文号 serials per unit, year and kind of document, both
// increasing with time.
func (pl *planner) finish() []plannedEntry {
	order := make([]int, len(pl.entries))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ea, eb := &pl.entries[a], &pl.entries[b]
		return cmp.Or(ea.at.Compare(eb.at),
			cmp.Compare(ea.unit, eb.unit),
			cmp.Compare(ea.col, eb.col))
	})
	pos := make([]int32, len(order))
	out := make([]plannedEntry, len(order))
	for newIdx, oldIdx := range order {
		out[newIdx] = pl.entries[oldIdx]
		pos[oldIdx] = int32(newIdx)
	}
	type key struct {
		unit int16
		year int
		kind string
	}
	serials := map[key]int{}
	for i := range out {
		e := &out[i]
		if e.related >= 0 {
			e.related = pos[e.related]
		}
		if e.interp >= 0 {
			e.interp = pos[e.interp]
		}
		y := e.at.Year()
		k := key{e.unit, y, ""}
		serials[k]++
		e.id = e.u().Code + "-" + strconv.Itoa(y) + "-" + fmt.Sprintf("%04d", serials[k])
		if e.docKind != "" && e.status != statusDraft {
			k := key{e.unit, y, e.docKind}
			// Not every numbered document is published, so serials skip.
			serials[k] += between(pl.r, 1, 3)
			e.docNo = e.u().Abbr + e.docKind + "〔" + strconv.Itoa(y) + "〕" + strconv.Itoa(serials[k]) + "号"
		}
		days := between(pl.r, 0, 4)
		if e.docKind != "" {
			days = between(pl.r, 2, 12)
		}
		e.written = e.at.AddDate(0, 0, -days)
	}
	return out
}
