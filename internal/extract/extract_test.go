package extract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"
)

func TestFormat(t *testing.T) {
	tests := []struct{ mediaType, name, want string }{
		{"application/pdf", "x.bin", "pdf"},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "", "docx"},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", "xlsx"},
		{"application/ofd", "", "ofd"},
		{"application/vnd.ms-works", "", "wps"},
		{"application/msword", "a.docx", "doc"},
		{"image/png", "a.pdf", "image"},
		{"", "附件1：名单.XLSX", "xlsx"},
		{"application/octet-stream", "公文.ofd", "ofd"},
		{"", "旧表.xls", "xls"},
		{"", "说明.txt", "other"},
	}
	for _, tc := range tests {
		if got := Format(tc.mediaType, tc.name); got != tc.want {
			t.Errorf("Format(%q, %q) = %q, want %q", tc.mediaType, tc.name, got, tc.want)
		}
	}
}

func TestParts(t *testing.T) {
	textbox := `<w:p><w:r><w:t>图注</w:t></w:r><w:r><w:drawing><wps:wsp xmlns:wps="wps"><wps:txbx><w:txbxContent>` + para("框内") + `</w:txbxContent></wps:txbx></wps:wsp></w:drawing></w:r></w:p>`
	nested := `<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc>` + para("内") + `</w:tc></w:tr></w:tbl>` + para("外") + `</w:tc><w:tc>` + para("右") + `</w:tc></w:tr></w:tbl>`
	richShared := zipOf(t,
		member{"xl/sharedStrings.xml", `<sst xmlns="main"><si><r><t>富</t></r><r><t>文本</t></r><rPh sb="0" eb="1"><t>ふ</t></rPh></si><si><t>第二</t></si></sst>`},
		member{"xl/worksheets/sheet1.xml", `<worksheet xmlns="main"><sheetData><row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>0</v></c><c r="C3" t="s"><v>7</v></c><c r="D3" t="b"><v>1</v></c><c r="E3"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>`})
	twoDocs := zipOf(t,
		member{"Doc_0/Pages/Page_0/Content.xml", `<Page><Content><Layer><TextObject><TextCode>甲文档</TextCode></TextObject></Layer></Content></Page>`},
		member{"Doc_1/Pages/Page_0/Content.xml", `<Page><Content><Layer><TextObject><TextCode>乙文档</TextCode></TextObject></Layer></Content></Page>`},
		member{"Doc_1/Pages/Page_1/Content.xml", `<Page><Content><Layer><TextObject><TextCode>乙文档二</TextCode></TextObject></Layer></Content></Page>`})
	tests := []struct {
		name, format string
		data         []byte
		want         []Part
	}{
		{"docx paragraphs and a table", "docx", docxOf(t,
			para("关于开展政务公开检查的通知")+`<w:p/>`+para("各县区人民政府：")+
				table([]string{"姓名", "联系电话"}, []string{"张三", "13812345678"})+para("附件：名单")),
			[]Part{{"第1段", "关于开展政务公开检查的通知"}, {"第2段", "各县区人民政府："},
				{"表1第1行", "姓名\t联系电话"}, {"表1第2行", "张三\t13812345678"}, {"第3段", "附件：名单"}}},
		{"docx tabs, breaks, deleted text", "docx", docxOf(t,
			`<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:delText>删去</w:delText></w:r></w:p>`),
			[]Part{{"第1段", "甲\t乙\n丙"}}},
		{"docx tables numbered, empty rows counted", "docx", docxOf(t,
			table([]string{"一"})+para("中间")+table([]string{"a", ""}, []string{"", ""}, []string{"", "b"})),
			[]Part{{"表1第1行", "一"}, {"第1段", "中间"}, {"表2第1行", "a"}, {"表2第3行", "b"}}},
		{"docx nested table and text box", "docx", docxOf(t, nested+textbox),
			[]Part{{"表1第1行", "内\n外\t右"}, {"第1段", "图注框内"}}},
		{"docx notes", "docx", docxOf(t, para("正文"), notes("footnote", "脚注甲", "脚注乙"), notes("endnote", "尾注")),
			[]Part{{"第1段", "正文"}, {"尾注1", "尾注"}, {"脚注1", "脚注甲"}, {"脚注2", "脚注乙"}}},
		{"docx stray text", "docx", docxOf(t, `<w:r><w:t>无段落</w:t></w:r>`+para("段落")),
			[]Part{{"第1段", "无段落"}, {"第2段", "段落"}}},
		{"wps saved as ooxml", "wps", docxOf(t, para("金山文字")), []Part{{"第1段", "金山文字"}}},
		{"xlsx sheets by name, shared and inline strings", "xlsx", xlsxOf(t,
			sheet{"名单", [][]string{{"s:姓名", "s:电话"}, {"s:张三", "13812345678"}, {}, {"i:备注", "3.5"}}},
			sheet{"汇总", [][]string{{"s:合计", "2"}, {"s:姓名"}}}),
			[]Part{{"名单 第1行", "姓名\t电话"}, {"名单 第2行", "张三\t13812345678"}, {"名单 第4行", "备注\t3.5"},
				{"汇总 第1行", "合计\t2"}, {"汇总 第2行", "姓名"}}},
		{"xlsx rich text, phonetics, bad index, no workbook", "xlsx", richShared,
			[]Part{{"sheet1 第3行", "第二\t富文本\t1\t2"}}},
		{"xlsx from excelize", "xlsx", excelizeFile(t), []Part{{"Sheet1 第1行", "参训人员回执表"},
			{"Sheet1 第2行", "姓名\t单位\t联系电话"}, {"Sheet1 第3行", "张三\t临沂市财政局\t13800000000"}, {"附表 第2行", "甲"}}},
		{"pdf pages", "pdf", pdfOf([]string{"第一页标题", "张三 13812345678"}, nil, []string{"第三页"}),
			[]Part{{"第1页", "第一页标题\n张三 13812345678"}, {"第3页", "第三页"}}},
		{"ofd pages", "ofd", ofdOf(t, [][]string{{"临沂市人民政府", "通知"}, {"第二页"}}, nil),
			[]Part{{"第1页", "临沂市人民政府\n通知"}, {"第2页", "第二页"}}},
		{"ofd pages in the document's order", "ofd", ofdOf(t, [][]string{{"后"}, {"前"}, {}, {"十"}}, []int{1, 0, 2, 3}),
			[]Part{{"第2页", "后"}, {"第1页", "前"}, {"第4页", "十"}}},
		{"ofd of two documents without page lists", "ofd", twoDocs,
			[]Part{{"文档1 第1页", "甲文档"}, {"文档2 第1页", "乙文档"}, {"文档2 第2页", "乙文档二"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parts(context.Background(), tc.format, tc.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parts\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func excelizeFile(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellStr("Sheet1", "A1", "参训人员回执表")
	f.SetSheetRow("Sheet1", "A2", &[]any{"姓名", "单位", "联系电话"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"张三", "临沂市财政局", 13800000000})
	f.NewSheet("附表")
	f.SetCellStr("附表", "B2", "甲")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestText pins the flat text, byte for byte, that the search index has
// always taken from each format: it must not change under the index.
func TestText(t *testing.T) {
	tests := []struct {
		name, format string
		data         []byte
		want         string
	}{
		{"docx", "docx", docxOf(t, para("第一段")+`<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/></w:r></w:p>`+table([]string{"a", "b"})),
			"第一段\n甲\t乙\n\na\nb\n\n"},
		{"docx notes after the body", "docx", docxOf(t, para("正文"), notes("footnote", "注")), "正文\n\n\n注\n\n"},
		{"xlsx", "xlsx", xlsxOf(t, sheet{"S", [][]string{{"s:姓名", "i:备注", "12"}}}), "姓名\n\n\t备注\t12\t\n\n"},
		{"ofd", "ofd", ofdOf(t, [][]string{{"甲", "乙"}, {"丙"}}, nil), "甲\n乙\n\n丙\n\n"},
		{"pdf", "pdf", pdfOf([]string{"一", "二"}, []string{"三"}), "\n一\n二\n三"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Text(context.Background(), tc.format, tc.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("text %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPDFTextAsLibrary holds our page reader to the library's own
// GetPlainText, which the index used before.
func TestPDFTextAsLibrary(t *testing.T) {
	files := [][]byte{
		pdfOf([]string{"关于公布2024年度政府信息公开工作年度报告的通知", "各县区人民政府，市政府各部门："}, []string{"附件：名单"}),
		pdfOf(nil),
		pdfOf([]string{"ASCII and 中文 mixed", "第二行"}, nil, nil, []string{"末页"}),
		pdfWithObjectStream(),
	}
	for i, data := range files {
		rd, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		r, err := rd.GetPlainText()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(r)
		got, err := Text(context.Background(), "pdf", data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("file %d: text %q, library %q", i, got, want)
		}
	}
}

func TestUnreadable(t *testing.T) {
	for _, format := range []string{"doc", "xls", "image", "other"} {
		if _, err := Text(context.Background(), format, []byte("x"), Limits{}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", format, err)
		}
	}
	if _, err := Parts(context.Background(), "wps", []byte("\xd0\xcf\x11\xe0 old binary"), Limits{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("binary wps: %v, want ErrUnsupported", err)
	}
}

func TestMalformed(t *testing.T) {
	deep := docxOf(t, strings.Repeat("<w:p>", 5000)+"<w:t>深</w:t>"+strings.Repeat("</w:p>", 5000))
	tests := []struct {
		name, format string
		data         []byte
	}{
		{"not a zip", "docx", []byte("PK\x03\x04 not really")},
		{"no text part", "docx", zipOf(t, member{"word/styles.xml", "<w:styles/>"})},
		{"broken xml", "xlsx", zipOf(t, member{"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c><v>1</v></c></row></sheetData></worksheet"})},
		{"nested too deep", "docx", deep},
		{"no ofd pages", "ofd", zipOf(t, member{"OFD.xml", "<OFD/>"})},
		{"pdf garbage", "pdf", []byte("%PDF-1.4 garbage")},
		{"pdf cut short", "pdf", pdfOf([]string{"文字"})[:200]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, err := Text(context.Background(), tc.format, tc.data, Limits{})
			if err == nil || text != "" {
				t.Errorf("text %q, err %v; want an error", text, err)
			}
			if parts, err := Parts(context.Background(), tc.format, tc.data, Limits{}); err == nil || parts != nil {
				t.Errorf("parts %q, err %v; want an error", parts, err)
			}
		})
	}
}
