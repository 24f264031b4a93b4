package demo

// colID indexes leafColumns.
type colID uint8

// The 21 leaf columns of the standard template (gkml only groups others).
const (
	colZyzz colID = iota
	colGkzn
	colGknb
	colGkzd
	colLdfg
	colJgsz
	colTzgg
	colZcwj
	colGfxwj
	colZcjd
	colJhzj
	colGhjh
	colTjsj
	colCzzj
	colQlqd
	colZdxm
	colGgzy
	colGgfw
	colYjzj
	colZwft
	colYjgl
	numColumns
)

// columnInfo holds what the generator needs to know about a column.
// Weight is the share of entries per 10 000; the mix mirrors a real
// catalog, where notices, policies, statistics and procurement dominate
// and the organisational columns change once a year at most.
type columnInfo struct {
	Code   string
	Weight int
	// AttachPct is the percentage of entries that carry attachments;
	// together they give about 15% over the whole catalog.
	AttachPct int
	// PerUnitYear marks columns where a unit publishes at most one entry a
	// year (annual report, guide, organisation pages).
	PerUnitYear bool
}

var leafColumns = [numColumns]columnInfo{
	colZyzz:  {"zyzz", 100, 0, true},
	colGkzn:  {"gkzn", 150, 5, true},
	colGknb:  {"gknb", 400, 10, true},
	colGkzd:  {"gkzd", 100, 5, true},
	colLdfg:  {"ldfg", 200, 0, true},
	colJgsz:  {"jgsz", 150, 0, true},
	colTzgg:  {"tzgg", 1500, 28, false},
	colZcwj:  {"zcwj", 1100, 22, false},
	colGfxwj: {"gfxwj", 450, 20, false},
	colZcjd:  {"zcjd", 380, 8, false},
	colJhzj:  {"jhzj", 350, 5, false},
	colGhjh:  {"ghjh", 200, 25, false},
	colTjsj:  {"tjsj", 1200, 12, false},
	colCzzj:  {"czzj", 550, 25, false},
	colQlqd:  {"qlqd", 150, 30, true},
	colZdxm:  {"zdxm", 450, 15, false},
	colGgzy:  {"ggzy", 1300, 15, false},
	colGgfw:  {"ggfw", 600, 6, false},
	colYjzj:  {"yjzj", 300, 30, false},
	colZwft:  {"zwft", 200, 0, false},
	colYjgl:  {"yjgl", 400, 8, false},
}

// topics is the national 主题分类 list used by government information
// disclosure catalogs.
var topics = []string{
	"国务院组织机构", "综合政务", "国民经济管理、国有资产监管", "财政、金融、审计",
	"国土资源、能源", "农业、林业、水利", "工业、交通", "商贸、海关、旅游",
	"市场监管、安全生产监管", "城乡建设、环境保护", "科技、教育", "文化、广电、新闻出版",
	"卫生、体育", "人口与计划生育、妇女儿童工作", "劳动、人事、监察", "公安、安全、司法",
	"民政、扶贫、救灾", "民族、宗教", "对外事务", "港澳台侨工作", "国防", "其他",
}

// interpretationForms are the forms a 政策解读 may take.
var interpretationForms = []string{"文字", "图解", "问答", "访谈", "视频", "媒体评论"}

// interpretationFormWeights favour text, as real catalogs do.
var interpretationFormWeights = []int{45, 20, 15, 8, 6, 6}
