package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Row generators of the register-like datasets (stops, licences, schools…)
// and the helpers all generators share. Values are valid for their
// declared types: integers and plain decimals (never exponents), dates as
// YYYY-MM-DD, datetimes in RFC 3339 with +08:00, booleans true/false.
// Codes that must keep leading zeros are strings.

func fmtF(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
func fmtDate(t time.Time) string      { return t.Format(time.DateOnly) }
func fmtDateTime(t time.Time) string  { return t.In(cst).Format(time.RFC3339) }
func fmtBool(b bool) string           { return strconv.FormatBool(b) }

// districtCentres are approximate seats of the districts, in the order of
// districts, as longitude and latitude.
var districtCentres = [][2]float64{
	{118.356, 35.104}, {118.284, 34.996}, {118.402, 35.089}, {118.465, 35.550},
	{118.367, 34.613}, {118.628, 35.790}, {118.070, 34.857}, {117.978, 35.266},
	{117.640, 35.506}, {118.835, 35.175}, {117.945, 35.710}, {118.650, 34.920},
}

// near returns a point scattered around district d's seat.
func (g *rowGen) near(d int, spread float64) (lng, lat string) {
	c := districtCentres[d]
	return fmtF(c[0]+(g.r.Float64()-0.5)*spread, 6), fmtF(c[1]+(g.r.Float64()-0.5)*spread, 6)
}

func (g *rowGen) address(d int) string {
	return "临沂市" + districts[d].Name + townIn(g.r, d) + pick(g.r, roads) + strconv.Itoa(between(g.r, 1, 399)) + "号"
}

func (g *rowGen) company(trade string) string {
	switch g.r.IntN(20) {
	case 0:
		return "临沂“" + pick(g.r, companyParts) + "人家”" + trade + "有限公司"
	case 1:
		return `临沂"` + pick(g.r, companyParts) + `老字号"` + trade + "店"
	}
	return "临沂" + pick(g.r, companyParts) + pick(g.r, companyParts) + trade + "有限公司"
}

// creditCode invents an enterprise credit code (registry 9, class 1) with
// a valid check digit.
func (g *rowGen) creditCode(areaCode string) string {
	var b strings.Builder
	b.WriteString("91")
	b.WriteString(areaCode)
	for i := 0; i < 9; i++ {
		b.WriteByte(creditCharset[g.r.IntN(len(creditCharset))])
	}
	c, _ := creditCheckDigit(b.String())
	b.WriteByte(c)
	return b.String()
}

// randomDay returns a date between from and to (inclusive of from).
func (g *rowGen) randomDay(from, to time.Time) time.Time {
	days := int(to.Sub(from) / day)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, g.r.IntN(days))
}

// notAfterToday keeps publication dates of the latest period out of the
// future when Now falls just after the period's end.
func (g *rowGen) notAfterToday(t time.Time) time.Time {
	if t.After(g.now) {
		return g.now.Truncate(time.Hour)
	}
	return t
}

func (g *rowGen) midnight() time.Time {
	return time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, cst)
}

func busStopRows(g *rowGen, n int) func(int) []string {
	var line, dir string
	var seq, d int
	var lng, lat float64
	left := 0
	updated := g.midnight().AddDate(0, 0, -between(g.r, 3, 40))
	return func(i int) []string {
		if left == 0 {
			// Start a new line: a route of 15–40 stops from a district seat.
			switch g.r.IntN(4) {
			case 0:
				line = "K" + strconv.Itoa(between(g.r, 1, 60)) + "路"
			case 1:
				line = strconv.Itoa(between(g.r, 100, 399)) + "路"
			default:
				line = strconv.Itoa(between(g.r, 1, 99)) + "路"
			}
			dir = pick(g.r, []string{"上行", "下行"})
			d = g.r.IntN(len(districts))
			lng, lat = districtCentres[d][0], districtCentres[d][1]
			left, seq = between(g.r, 15, 40), 0
		}
		left--
		seq++
		lng += (g.r.Float64() - 0.45) * 0.006
		lat += (g.r.Float64() - 0.45) * 0.005
		r1, r2 := pick(g.r, roads), pick(g.r, roads)
		name := r1 + r2 + "路口"
		if r1 == r2 || g.r.IntN(3) == 0 {
			name = pick(g.r, []string{"人民医院", "市图书馆", "汽车站", "实验中学", "批发城", "科技馆", "体育中心", "政务服务中心"}) + "站"
		}
		return []string{
			fmt.Sprintf("%06d", i+1), name, line, dir, strconv.Itoa(seq), fmtF(lng, 6), fmtF(lat, 6),
			districts[d].Name, fmtBool(g.r.IntN(3) != 0), fmtBool(g.r.IntN(4) == 0), fmtDate(updated),
		}
	}
}

func parkingRows(g *rowGen, n int) func(int) []string {
	return func(i int) []string {
		d := g.r.IntN(len(districts))
		lng, lat := g.near(d, 0.08)
		spaces := between(g.r, 20, 1200)
		name := pick(g.r, roads) + pick(g.r, []string{"公共停车场", "地下停车场", "立体停车库", "路侧停车泊位"})
		fee := pick(g.r, []string{"首小时免费，之后每小时2元", "小型车每小时3元，24小时封顶20元", "免费", "每次5元"})
		return []string{
			fmt.Sprintf("P%05d", i+1), name, g.address(d), districts[d].Name, strconv.Itoa(spaces),
			strconv.Itoa(spaces * between(g.r, 0, 20) / 100), fee, fmtBool(g.r.IntN(2) == 0), lng, lat,
			fmtDateTime(g.now.Add(-time.Duration(g.r.IntN(90*24*60)) * time.Minute).Truncate(time.Minute)),
		}
	}
}

func placeNameRows(g *rowGen, n int) func(int) []string {
	cats := []string{"行政村", "自然村", "街巷", "桥梁", "山体", "河流", "广场", "公园"}
	return func(i int) []string {
		d := g.r.IntN(len(districts))
		lng, lat := g.near(d, 0.3)
		cat := pick(g.r, cats)
		sn := pick(g.r, surnames)
		var name string
		elev := fmtF(40+g.r.Float64()*60, 1)
		switch cat {
		case "行政村", "自然村":
			name = pick(g.r, []string{"东", "西", "南", "北", "前", "后", "大", "小"}) + sn + pick(g.r, []string{"家庄", "官庄", "家湖", "家峪", "庄", "家岭"})
		case "街巷":
			name = sn + pick(g.r, []string{"家巷", "家胡同", "园街"})
		case "桥梁":
			name = pick(g.r, roads) + "桥"
		case "山体":
			name = pick(g.r, []string{"大", "小", "卧", "青"}) + pick(g.r, []string{"龙", "虎", "牛", "凤"}) + pick(g.r, []string{"山", "岭", "顶"})
			elev = fmtF(150+g.r.Float64()*900, 1)
		case "河流":
			name = sn + pick(g.r, []string{"家河", "庄河", "沟"})
		default:
			name = pick(g.r, roads) + cat
		}
		approved := g.randomDay(time.Date(1985, 1, 1, 0, 0, 0, 0, cst), g.midnight())
		return []string{
			districts[d].Code + fmt.Sprintf("%03d%05d", between(g.r, 1, 20), i+1), name, cat, districts[d].Name,
			townIn(g.r, d), lng, lat, elev, fmtDate(approved),
		}
	}
}

func townRows(g *rowGen, n int) func(int) []string {
	return func(i int) []string {
		d, name, code := town(i)
		level := "镇"
		if strings.HasSuffix(name, "街道") {
			level = "街道"
		} else if strings.HasSuffix(name, "乡") {
			level = "乡"
		}
		return []string{
			code, name, level, districts[d].Name, districts[d].Code,
			strconv.Itoa(between(g.r, 18, 120)), fmtF(40+g.r.Float64()*260, 2),
		}
	}
}

func schoolRows(g *rowGen, n int) func(int) []string {
	levels := []string{"幼儿园", "小学", "小学", "初级中学", "九年一贯制学校", "普通高中"}
	return func(i int) []string {
		d := g.r.IntN(len(districts))
		level := pick(g.r, levels)
		public := g.r.IntN(5) != 0
		var name string
		switch level {
		case "幼儿园":
			name = districts[d].Name + townIn(g.r, d) + "中心幼儿园"
		case "普通高中":
			name = "临沂市" + districts[d].Name + "第" + cn(between(g.r, 1, 9)) + "中学"
		default:
			name = districts[d].Name + pick(g.r, roads) + pick(g.r, []string{"实验", "第一", "第二", "育才", "朝阳"}) + level
		}
		if !public {
			name = "临沂" + pick(g.r, companyParts) + "外国语" + level
		}
		students := between(g.r, 120, 3600)
		founded := g.randomDay(time.Date(1950, 1, 1, 0, 0, 0, 0, cst), time.Date(2022, 9, 1, 0, 0, 0, 0, cst))
		return []string{
			"3137" + fmt.Sprintf("%06d", i+1), name, level, map[bool]string{true: "公办", false: "民办"}[public],
			districts[d].Name, g.address(d), "0539-" + strconv.Itoa(between(g.r, 2, 8)) + fmt.Sprintf("%06d", g.r.IntN(1000000)),
			strconv.Itoa(students), strconv.Itoa(students/between(g.r, 12, 18) + 1), fmtDate(founded), fmtBool(level != "幼儿园" || g.r.IntN(2) == 0),
		}
	}
}

func medicalRows(g *rowGen, n int) func(int) []string {
	return func(i int) []string {
		d := g.r.IntN(len(districts))
		var name, cat, grade string
		beds := 0
		switch k := g.r.IntN(10); {
		case k == 0:
			name, cat, grade, beds = districts[d].Name+"人民医院", "综合医院", pick(g.r, []string{"三级甲等", "二级甲等"}), between(g.r, 300, 1800)
		case k <= 2:
			name, cat, grade, beds = districts[d].Name+townIn(g.r, d)+"卫生院", "乡镇卫生院", "一级", between(g.r, 20, 120)
			if strings.HasSuffix(name, "街道卫生院") {
				name, cat = strings.TrimSuffix(name, "卫生院")+"社区卫生服务中心", "社区卫生服务中心"
			}
		case k <= 4:
			name, cat, grade, beds = districts[d].Name+pick(g.r, roads)+"社区卫生服务中心", "社区卫生服务中心", "一级", between(g.r, 0, 60)
		case k <= 7:
			name, cat, grade = pick(g.r, surnames)+pick(g.r, []string{"家庄", "官庄", "家湖"})+"村卫生室", "村卫生室", "未定级"
		default:
			name, cat, grade = "临沂"+pick(g.r, companyParts)+pick(g.r, []string{"口腔诊所", "中医诊所", "内科诊所"}), "诊所", "未定级"
		}
		valid := g.randomDay(g.midnight(), g.midnight().AddDate(5, 0, 0))
		return []string{
			"PDY" + districts[d].Code + fmt.Sprintf("%05d", i+1), name, cat, grade, districts[d].Name, g.address(d),
			strconv.Itoa(beds), "0539-" + strconv.Itoa(between(g.r, 2, 8)) + fmt.Sprintf("%06d", g.r.IntN(1000000)),
			fmtBool(cat != "诊所" || g.r.IntN(3) == 0), fmtDate(valid),
		}
	}
}

func foodLicenceRows(g *rowGen, n int) func(int) []string {
	cats := []string{"食品销售经营者", "餐饮服务经营者", "单位食堂", "食品销售经营者,餐饮服务经营者"}
	return func(i int) []string {
		d := g.r.IntN(len(districts))
		kind := between(g.r, 1, 3)
		body := "JY" + strconv.Itoa(kind) + districts[d].Code + fmt.Sprintf("%06d", i+1)
		sum := 0
		for _, ch := range body[2:] {
			sum += int(ch - '0')
		}
		no := body + strconv.Itoa(sum%10)
		issue := g.randomDay(g.midnight().AddDate(-5, 0, 0), g.midnight())
		until := issue.AddDate(5, 0, 0)
		status := "有效"
		if g.r.IntN(25) == 0 {
			status = "注销"
		}
		updated := issue.Add(time.Duration(g.r.IntN(int(g.now.Sub(issue)/time.Minute)+1)) * time.Minute)
		return []string{
			no, g.company(pick(g.r, []string{"食品", "餐饮", "商贸", "超市"})), personName(g.r), g.address(d), pick(g.r, cats),
			districts[d].Code, fmtDate(issue), fmtDate(until), status, fmtDateTime(updated),
		}
	}
}

func qualificationRows(g *rowGen, n int) func(int) []string {
	quals := []string{"建筑工程施工总承包", "市政公用工程施工总承包", "水利水电工程施工总承包", "机电工程施工总承包",
		"建筑装修装饰工程专业承包", "地基基础工程专业承包", "环保工程专业承包", "城市及道路照明工程专业承包"}
	return func(i int) []string {
		d := g.r.IntN(len(districts))
		issue := g.randomDay(g.midnight().AddDate(-6, 0, 0), g.midnight())
		until := issue.AddDate(5, 0, 0)
		return []string{
			"D2" + districts[d].Code[:2] + fmt.Sprintf("%07d", between(g.r, 1, 9999999)), g.company("建设工程"),
			g.creditCode(districts[d].Code), pick(g.r, quals), pick(g.r, []string{"一级", "二级", "二级", "三级"}),
			fmtDate(issue), fmtDate(until), districts[d].Name, fmtBool(until.After(g.now) && g.r.IntN(30) != 0),
		}
	}
}

var itemTypes = []struct{ name, code string }{
	{"行政许可", "XK"}, {"行政确认", "QR"}, {"行政给付", "JF"}, {"公共服务", "GG"}, {"其他行政权力", "QT"},
}

func serviceItemRows(g *rowGen, n int) func(int) []string {
	return func(i int) []string {
		u := &units[g.r.IntN(len(units))]
		t := pick(g.r, itemTypes)
		_, topic := u.subject(0)
		laws := lawsByTopic[topic]
		var basis []string
		for k := 0; k < between(g.r, 1, 3); k++ {
			law := pick(g.r, provincialRules)
			if len(laws) > 0 && g.r.IntN(3) != 0 {
				law = pick(g.r, laws)
			}
			basis = append(basis, law+"第"+cnLong(between(g.r, 2, 60))+"条　"+
				pick(g.r, []string{"申请人应当向有关主管部门提出申请，并提交符合规定的材料。",
					"主管部门应当自受理申请之日起二十日内作出决定；二十日内不能作出决定的，经本部门负责人批准，可以延长十日。",
					"符合条件的，予以办理；不符合条件的，书面说明理由。"}))
		}
		materials := []string{"1.申请书", "2.申请人身份证明"}
		for k := 3; k <= between(g.r, 3, 6); k++ {
			materials = append(materials, strconv.Itoa(k)+"."+pick(g.r, []string{"营业执照", "场所证明材料", "相关资质证明", "授权委托书（委托办理的提供）", "承诺书", "现场照片"}))
		}
		fee := "不收费"
		if g.r.IntN(8) == 0 {
			fee = "按国家规定标准收取"
		}
		return []string{
			"371300-" + t.code + "-" + fmt.Sprintf("%04d", i+1), pick(g.r, u.Services), u.Name, t.name,
			strings.Join(basis, "\n"), strings.Join(materials, "\n"), strconv.Itoa(between(g.r, 1, 20)), fee,
			fmtBool(g.r.IntN(6) != 0), fmtDate(g.randomDay(g.midnight().AddDate(-2, 0, 0), g.midnight())),
		}
	}
}

func penaltyRows(g *rowGen, n int) func(int) []string {
	violations := []struct{ what, basis string }{
		{"销售不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条"},
		{"未按规定进行特种设备定期检验", "《中华人民共和国特种设备安全法》第八十四条"},
		{"发布虚假广告", "《中华人民共和国广告法》第五十五条"},
		{"未明码标价", "《中华人民共和国价格法》第四十二条"},
		{"生产销售不合格产品", "《中华人民共和国产品质量法》第四十九条"},
		{"使用未经检定的计量器具", "《中华人民共和国计量法实施细则》第四十三条"},
	}
	// Decisions are listed in date order, so their numbers grow with time.
	from := g.midnight().AddDate(-3, 0, 0)
	span := g.midnight().Sub(from)
	serial := map[int]int{}
	return func(i int) []string {
		d := g.r.IntN(len(districts))
		v := pick(g.r, violations)
		decided := from.Add(time.Duration(float64(span) * float64(i) / float64(max(1, n))))
		decided = time.Date(decided.Year(), decided.Month(), decided.Day(), 0, 0, 0, 0, cst)
		serial[decided.Year()]++
		kind := pick(g.r, []string{"警告", "罚款", "没收违法所得、罚款", "罚款"})
		fine := 0.0
		if kind != "警告" {
			fine = float64(between(g.r, 5, 2000)) * 100
		}
		return []string{
			"临市监处罚〔" + strconv.Itoa(decided.Year()) + "〕" + fmt.Sprintf("%04d", serial[decided.Year()]) + "号",
			g.company(pick(g.r, []string{"商贸", "食品", "科技", "医药"})), g.creditCode(districts[d].Code), v.what, v.basis, kind,
			fmtF(fine, 2), fmtDate(decided), "临沂市市场监督管理局", fmtDate(decided.AddDate(3, 0, 0)),
		}
	}
}
