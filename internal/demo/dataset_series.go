package demo

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Time-series datasets: hourly air quality, monthly water quality and
// revenue, quarterly accounts. Rows run in time order up to the last
// complete period before Now.

// iaqi interpolates an individual air quality index (HJ 633-2012).
func iaqi(c float64, bp []float64) float64 {
	levels := []float64{0, 50, 100, 150, 200, 300, 400, 500}
	for i := 1; i < len(bp); i++ {
		if c <= bp[i] {
			return levels[i-1] + (levels[i]-levels[i-1])*(c-bp[i-1])/(bp[i]-bp[i-1])
		}
	}
	return 500
}

var (
	bpPM25 = []float64{0, 35, 75, 115, 150, 250, 350, 500}
	bpPM10 = []float64{0, 50, 150, 250, 350, 420, 500, 600}
	bpO3   = []float64{0, 160, 200, 300, 400, 800, 1000, 1200}
	// pm25ByMonth is a typical monthly mean for the city, January first.
	pm25ByMonth = []float64{88, 72, 55, 45, 38, 34, 28, 27, 31, 44, 62, 80}
)

func aqiLevel(aqi int) string {
	switch {
	case aqi <= 50:
		return "优"
	case aqi <= 100:
		return "良"
	case aqi <= 150:
		return "轻度污染"
	case aqi <= 200:
		return "中度污染"
	case aqi <= 300:
		return "重度污染"
	}
	return "严重污染"
}

type station struct {
	name     string
	district int
}

var airStations = []station{
	{"市环境监测站", 0}, {"河东保税区", 2}, {"鲁南制药厂", 0}, {"沂河公园", 2}, {"高新区管委会", 1},
	{"罗庄区政府", 1}, {"北城新区", 0}, {"临港区管委会", 11}, {"经开区管委会", 2}, {"沂南县城", 3},
	{"费县县城", 7}, {"平邑县城", 8},
}

// seriesShape decides how many entities (stations, areas, sections) a time
// series needs so that n rows cover at most maxPeriods periods: a big row
// budget adds monitoring points rather than reaching back decades.
func seriesShape(n, base, maxPeriods int) (entities, periods int) {
	entities = max(base, (n+maxPeriods-1)/maxPeriods)
	periods = (n + entities - 1) / entities
	return entities, periods
}

// town returns the k-th township as a district index, name and 9-digit code.
func town(k int) (int, string, string) {
	d := k % len(districts)
	seq := k/len(districts) + 1
	var name string
	if list := townsByDistrict[d]; seq <= len(list) {
		name = list[seq-1]
	} else {
		name = surnames[(k*5)%len(surnames)] + []string{"家镇", "庄镇", "集镇", "河街道"}[k%4]
	}
	return d, name, districts[d].Code + fmt.Sprintf("%03d", seq)
}

func airQualityRows(g *rowGen, n int) func(int) []string {
	stations := airStations
	s, hours := seriesShape(n, len(airStations), 3*365*24)
	for k := len(stations); k < s; k++ {
		d, name, _ := town(k)
		stations = append(stations, station{name + "监测点", d})
	}
	last := g.now.Truncate(time.Hour).Add(-time.Hour)
	first := last.Add(-time.Duration(hours-1) * time.Hour)
	factor := make([]float64, s)
	for i := range factor {
		factor[i] = 0.85 + g.r.Float64()*0.3
	}
	return func(i int) []string {
		st := i % s
		t := first.Add(time.Duration(i/s) * time.Hour).In(cst)
		h := t.Hour()
		base := pm25ByMonth[t.Month()-1] * factor[st]
		if h < 7 || h > 20 {
			base *= 1.15
		}
		pm25 := math.Max(3, base*math.Exp(g.r.NormFloat64()*0.35))
		pm10 := pm25 * (1.4 + g.r.Float64()*0.8)
		summer := 0.0
		if t.Month() >= 5 && t.Month() <= 9 {
			summer = 1
		}
		afternoon := math.Max(0, 1-math.Abs(float64(h)-15)/6)
		o3 := math.Max(2, 40+110*summer*afternoon+35*afternoon+g.r.NormFloat64()*15)
		so2 := between(g.r, 4, 22)
		no2 := between(g.r, 12, 48)
		if h == 8 || h == 18 {
			no2 += 15
		}
		ipm25, ipm10, io3 := iaqi(pm25, bpPM25), iaqi(pm10, bpPM10), iaqi(o3, bpO3)
		aqi := int(math.Ceil(math.Max(ipm25, math.Max(ipm10, io3))))
		primary := ""
		if aqi > 50 {
			switch {
			case ipm25 >= ipm10 && ipm25 >= io3:
				primary = "PM2.5"
			case ipm10 >= io3:
				primary = "PM10"
			default:
				primary = "O3"
			}
		}
		return []string{
			fmt.Sprintf("%03d", st+1), stations[st].name, districts[stations[st].district].Name, fmtDateTime(t),
			strconv.Itoa(aqi), strconv.Itoa(int(math.Round(pm25))), strconv.Itoa(int(math.Round(pm10))),
			strconv.Itoa(so2), strconv.Itoa(no2), strconv.Itoa(int(math.Round(o3))),
			fmtF(0.3+g.r.Float64()*1.2, 1), primary, aqiLevel(aqi), fmtBool(g.r.IntN(200) != 0),
		}
	}
}

// fiscalAreas lists the city level and the districts for revenue tables.
var fiscalAreas = append([]district{{"市本级", "371300"}}, districts...)

// reportingAreas returns at least n areas: the city, the districts, then
// townships when a large row budget needs more.
func reportingAreas(n int) []district {
	areas := append([]district(nil), fiscalAreas...)
	for k := 0; len(areas) < n; k++ {
		d, name, code := town(k)
		areas = append(areas, district{districts[d].Name + name, code})
	}
	return areas
}

// monthStart is the first day of t's month.
func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, cst)
}

func fiscalRows(g *rowGen, n int) func(int) []string {
	items := []string{"一般公共预算收入", "税收收入", "非税收入", "增值税", "企业所得税"}
	cells, months := seriesShape(n, len(fiscalAreas)*len(items), 120)
	areas := reportingAreas((cells + len(items) - 1) / len(items))
	per := len(areas) * len(items)
	months = (n + per - 1) / per
	first := monthStart(g.now).AddDate(0, -months, 0)
	scale := make([]float64, len(areas))
	for a := range scale {
		scale[a] = 0.5 + g.r.Float64()*3
		if a == 0 {
			scale[a] = 8
		} else if a >= len(fiscalAreas) {
			scale[a] /= 10
		}
	}
	return func(i int) []string {
		m := first.AddDate(0, i/per, 0)
		a := (i % per) / len(items)
		k := i % len(items)
		share := []float64{1, 0.72, 0.28, 0.3, 0.12}[k]
		amount := 5000 * scale[a] * share * (0.8 + g.r.Float64()*0.4)
		if k == 2 && g.r.IntN(60) == 0 {
			amount = -g.r.Float64() * 50 // a refund month
		}
		final := m.AddDate(0, 3, 0).Before(g.now)
		note := ""
		if g.r.IntN(15) == 0 {
			note = pick(g.r, []string{"含一次性收入", "按可比口径计算，扣除留抵退税因素", "数据待核实"})
		}
		return []string{
			fmtDate(m), fmt.Sprintf("%03d", a+1), areas[a].Code, areas[a].Name, items[k], fmtF(amount, 2),
			fmtF(-15+g.r.Float64()*35, 1), strconv.Itoa(between(g.r, 1, len(fiscalAreas))), fmtBool(final),
			fmtDate(g.notAfterToday(workday(m.AddDate(0, 1, 9)))), note,
		}
	}
}

// gdpIndicators are the quarterly accounts in long format: name, unit and
// a typical cumulative value per quarter for a district.
var gdpIndicators = []struct {
	name, unit string
	base       float64
}{
	{"地区生产总值", "亿元", 120}, {"第一产业增加值", "亿元", 10}, {"第二产业增加值", "亿元", 45},
	{"第三产业增加值", "亿元", 65}, {"规模以上工业增加值", "亿元", 35}, {"固定资产投资", "亿元", 60},
	{"社会消费品零售总额", "亿元", 55}, {"一般公共预算收入", "亿元", 9},
}

func gdpRows(g *rowGen, n int) func(int) []string {
	cells, _ := seriesShape(n, len(fiscalAreas)*len(gdpIndicators), 40)
	areas := reportingAreas((cells + len(gdpIndicators) - 1) / len(gdpIndicators))
	per := len(areas) * len(gdpIndicators)
	quarters := (n + per - 1) / per
	// Quarters run up to the last complete one.
	q := time.Date(g.now.Year(), time.Month((int(g.now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, cst)
	first := q.AddDate(0, -3*quarters, 0)
	return func(i int) []string {
		start := first.AddDate(0, 3*(i/per), 0)
		end := start.AddDate(0, 3, -1)
		qn := (int(start.Month())-1)/3 + 1
		a := (i % per) / len(gdpIndicators)
		ind := gdpIndicators[i%len(gdpIndicators)]
		name := areas[a].Name
		scale := 1.0
		switch {
		case a == 0:
			name, scale = "全市", 12
		case a >= len(fiscalAreas):
			scale = 0.08
		}
		years := math.Max(0, float64(start.Year()-2015))
		value := ind.base * scale * float64(qn) * (1 + years*0.05) * (0.8 + g.r.Float64()*0.4)
		released := g.notAfterToday(time.Date(end.Year(), end.Month()+1, between(g.r, 18, 28), 10, 0, 0, 0, cst))
		return []string{
			strconv.Itoa(start.Year()) + "Q" + strconv.Itoa(qn), fmtDate(end), areas[a].Code, name,
			ind.name, fmtF(value, 2), ind.unit, fmtF(-3+g.r.Float64()*12, 1), fmtDateTime(released),
		}
	}
}

type waterSection struct {
	name, river string
	district    int
}

var waterSections = []waterSection{
	{"李公河口", "沂河", 0}, {"临沂大桥", "沂河", 0}, {"港上桥", "沂河", 4}, {"重沟桥", "沭河", 4},
	{"大官庄", "沭河", 11}, {"葛沟", "沂河", 3}, {"跋山水库", "沂河", 5}, {"岸堤水库", "东汶河", 10},
	{"许家崖水库", "温凉河", 7}, {"会宝岭水库", "西泇河", 6}, {"祊河入沂河口", "祊河", 0}, {"涑河橡胶坝", "涑河", 0},
	{"柳青河入沂河口", "柳青河", 0}, {"浚河平邑段", "浚河", 8}, {"绣针河", "绣针河", 9},
}

func waterRows(g *rowGen, n int) func(int) []string {
	sections := waterSections
	s, months := seriesShape(n, len(waterSections), 120)
	for k := len(sections); k < s; k++ {
		d, name, _ := town(k)
		sections = append(sections, waterSection{name + "断面", pick(g.r, []string{"沂河", "沭河", "祊河", "东汶河", "蒙河"}), d})
	}
	first := monthStart(g.now).AddDate(0, -months, 0)
	classes := []string{"Ⅱ类", "Ⅲ类", "Ⅲ类", "Ⅳ类"}
	return func(i int) []string {
		sec := sections[i%s]
		m := first.AddDate(0, i/s, between(g.r, 4, 14))
		class := pick(g.r, classes)
		return []string{
			fmt.Sprintf("%04d", i%s+1), sec.name, sec.river, districts[sec.district].Name, fmtDate(m),
			fmtF(6.8+g.r.Float64()*1.6, 2), fmtF(5+g.r.Float64()*5, 2), fmtF(1.5+g.r.Float64()*4.5, 2),
			fmtF(0.05+g.r.Float64()*0.9, 3), fmtF(0.02+g.r.Float64()*0.25, 3), class, fmtBool(class != "Ⅳ类"),
		}
	}
}
