package checks

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// piiBenchEntryRunes is the size of the entry the speed target is
// stated for.
const piiBenchEntryRunes = 10000

// piiBenchParagraphs are the kinds of text a disclosure entry is made of:
// prose with dates, figures and document numbers, a table of figures,
// contact lines with landlines and hotlines.
var piiBenchParagraphs = []string{
	"　　%d年，全市上下坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，统筹推进稳增长、促改革、调结构、惠民生、防风险各项工作，经济社会发展取得新成效。全年地区生产总值%d.%d亿元，比上年增长%d.%d%%。\n",
	"　　根据《临沂市人民政府办公室关于印发临沂市城乡居民最低生活保障办法的通知》（临政办发〔%d〕%d号）要求，经街道办事处初审、区民政局审核，现将%d年第%d批拟享受城乡居民最低生活保障对象名单予以公示，公示期为7个工作日。\n",
	"指标\t%d年\t%d年\t增长（%%）\n一般公共预算收入（万元）\t%d\t%d\t%d.%d\n税收收入（万元）\t%d\t%d\t%d.%d\n固定资产投资（万元）\t%d\t%d\t%d.%d\n",
	"　　公示期间，如有异议，请以书面形式向兰山区民政局反映。联系电话：0539-%d，监督电话：12345，邮编276000。受理时间：工作日上午9:00-12:00，下午13:30-17:00。\n",
	"　　第%d条　行政机关应当建立健全政府信息公开审查机制，明确审查的程序和责任。行政机关应当依照《中华人民共和国保守国家秘密法》以及其他法律、法规和国家有关规定对拟公开的政府信息进行审查。\n",
	"　　截至%d年底，全市共有各级各类学校%d所，在校学生%d人，专任教师%d人；卫生机构%d个，床位%d张，卫生技术人员%d人。订单号%d%d，发票号码%d。\n",
}

// piiBenchPlanted are the numbers and markings a reviewer must not miss.
var piiBenchPlanted = []string{
	"　　拟保障对象：张某，身份证号371302198709166578，家庭人口3人，联系电话13805391234。\n",
	"　　拟保障对象：李某，身份证号37132119551015628X，保障金发放至银行卡6217008441103982，电话 139 2975 2071。\n",
	"机密★1年\n",
}

// piiBenchDocument builds a realistic entry of n characters with the planted
// findings spread through it.
func piiBenchDocument(n int) string {
	var b strings.Builder
	k := 0
	for i := 0; utf8.RuneCountInString(b.String()) < n; i++ {
		if i%9 == 4 && k < len(piiBenchPlanted) {
			b.WriteString(piiBenchPlanted[k])
			k++
			continue
		}
		p := piiBenchParagraphs[i%len(piiBenchParagraphs)]
		args := make([]any, strings.Count(p, "%d"))
		for j := range args {
			args[j] = 2000 + (i*37+j*101)%7919*13
		}
		b.WriteString(fmt.Sprintf(p, args...))
	}
	s := b.String()
	// Cut to exactly n characters.
	i, c := 0, 0
	for c < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		c++
	}
	return s[:i]
}

func BenchmarkTextRules(b *testing.B) {
	doc := piiBenchDocument(piiBenchEntryRunes)
	all := []TextRule{NewIDRule(), NewPhoneRule(), NewBankRule(), NewSecretRule()}
	found := 0
	for _, r := range all {
		found += len(r.Check(doc))
	}
	if want := 2 + 2 + 1 + 1; found != want {
		b.Fatalf("the benchmark document gives %d findings, want %d", found, want)
	}
	run := func(b *testing.B, rules []TextRule) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range rules {
				r.Check(doc)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/entry")
	}
	b.Run("all", func(b *testing.B) { run(b, all) })
	for _, r := range all {
		b.Run(r.ID(), func(b *testing.B) { run(b, []TextRule{r}) })
	}
}
