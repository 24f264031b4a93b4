package portal_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gongkai/internal/catalog"
	"gongkai/internal/sanitize"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// The browser tests drive Debian's Chromium over the portal with fixture
// data: axe-core checks every kind of page against WCAG 2.1 A and AA, and
// the keyboard, the display toggle and phone widths are tried as a person
// would. Chromium comes from `apt-get install chromium fonts-noto-cjk`,
// axe-core from `npm install` (make node_modules).

const chromiumPath = "/usr/bin/chromium"

// envScreenshots names a directory to save phone-width screenshots in.
const envScreenshots = "GONGKAI_SCREENSHOTS"

// browserPages are the pages checked, one of each kind.
var browserPages = []struct{ name, path string }{
	{"home", "/"},
	{"units", "/units"},
	{"unit tree", "/units/fgw"},
	{"column", "/units/fgw/columns/tzgg"},
	{"column page 2", "/units/fgw/columns/tzgg?page=2"},
	{"entry", "/entries/pol"},
	{"rich entry", "/entries/rich"},
	{"interpretation", "/entries/interp"},
	{"withdrawn entry", "/entries/gone"},
	{"search", "/search?q=%E6%A0%87%E9%A2%98"},
	{"search with filters", "/search?q=%E6%A0%87%E9%A2%98&unit=gxq&sort=date&page=1"},
	{"search without hits", "/search?q=%E6%A0%87%E9%A2%98%E6%B1%A0&unit=gxq"},
	{"search corrected", "/search?q=%E6%A0%87%E7%AD%BE%E5%86%99%E5%8F%91"},
	{"search with words apart", "/search?q=%E8%AF%B4%E6%98%8E%E6%A0%87%E7%AD%BE"},
	{"search form", "/search"},
	{"404", "/no/such/page"},
	{"open data", "/opendata/"},
	{"open data filtered", "/opendata/?domain=%E9%81%93%E8%B7%AF%E4%BA%A4%E9%80%9A"},
	{"dataset", "/opendata/datasets/fgw-bus-stops"},
}

// needBrowser returns the axe-core script, or skips the test when Chromium
// or axe-core is missing (and fails it in CI, where they must be there).
func needBrowser(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need %s (CI=true)", what)
		}
		t.Skipf("skipping browser tests: %s is missing (apt-get install chromium fonts-noto-cjk; npm install)", what)
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		missing(chromiumPath)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
		if err == nil {
			return string(b)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			missing("node_modules/axe-core/axe.min.js")
		}
		dir = parent
	}
}

// browserFixture serves the page fixture with its search index, plus an
// entry with a wide table and a long unbroken line, which must not push a
// phone page sideways.
func browserFixture(t *testing.T) *httptest.Server {
	t.Helper()
	st := storetest.SQLite(t)
	srv := searchFixture(t, st)
	var rows strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&rows, "<tr><td>%d</td><td>临沂市兰山区重点建设项目第%d批</td><td>12345.67</td><td>2024年3月</td><td>已开工建设并完成年度投资计划的百分之八十</td></tr>", i, i)
	}
	body := `<p style="text-indent: 2em">为进一步做好政府信息公开工作，现将有关事项通知如下。</p>` +
		`<h3>一、项目清单</h3><table><thead><tr><th scope="col">序号</th><th scope="col">项目名称</th><th scope="col">投资额（万元）</th><th scope="col">开工时间</th><th scope="col">进度</th></tr></thead><tbody>` +
		rows.String() + `</tbody></table>` +
		`<p>详见：<a href="https://www.linyi.gov.cn/` + strings.Repeat("xxgk", 30) + `">https://www.linyi.gov.cn/` + strings.Repeat("xxgk", 30) + `</a></p>` +
		`<p style="text-align: right">临沂市发展和改革委员会<br>2024年3月1日</p>`
	at, _ := catalog.ParseTime("2024-03-03T09:00:00+08:00")
	e := catalog.Entry{ID: "rich", Unit: "fgw", Column: "zcwj", Title: "关于印发《临沂市2024年重点建设项目名单》的通知", Status: catalog.StatusPublished,
		PublishedAt: &at, DocNo: "临发改发〔2024〕9号", WrittenAt: "2024-02-28", Topic: "国民经济管理、国有资产监管", DocType: "通知", Validity: "有效",
		Summary: "公布2024年全市重点建设项目名单及年度投资计划。", Keywords: []string{"重点项目", "投资"}, FivePublics: "执行",
		BodyHTML: sanitize.New().HTML(body)}
	if _, err := st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: "rich"}}); err != nil {
		t.Fatal(err)
	}
	ds := catalog.Dataset{ID: "fgw-bus-stops", Unit: "fgw", Title: "临沂市城乡公交站点信息", Description: "全市公交站点的编号、名称和位置。",
		Domain: "道路交通", UpdateFrequency: "每月", OpenType: "无条件开放", License: "署名", Keywords: []string{"公交"}, PublishedAt: &at,
		Fields: []catalog.Field{{Name: "stop_id", Title: "站点编号", Type: catalog.TypeString}, {Name: "name", Title: "站点名称", Type: catalog.TypeString},
			{Name: "lines", Title: "线路数", Type: catalog.TypeInteger}, {Name: "shelter", Title: "有候车亭", Type: catalog.TypeBoolean}}}
	var dsRows [][]catalog.Value
	for i := range 30 {
		dsRows = append(dsRows, []catalog.Value{catalog.TextValue(catalog.TypeString, fmt.Sprintf("0539%04d", i)),
			catalog.TextValue(catalog.TypeString, fmt.Sprintf("沂蒙路第%d站", i)), catalog.IntegerValue(int64(i % 7)), catalog.BooleanValue(i%2 == 0)})
	}
	if _, _, err := st.SaveDatasetVersion(context.Background(), ds, store.RowsOf(dsRows)); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// newBrowser starts headless Chromium with a fresh profile and no network
// of its own, and returns a context whose tabs share it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "gongkai-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	// An upper bound for the whole browser session, not a timed assertion:
	// a hung browser fails the test instead of the package timing out.
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 3*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		// Chromium's helpers may still be writing the profile as they exit.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return browserCtx
}

// newTab opens a tab of the browser that ignores the pages' Content
// Security Policy, so that the test can inject axe-core.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target         []string `json:"target"`
		HTML           string   `json:"html"`
		FailureSummary string   `json:"failureSummary"`
	} `json:"nodes"`
}

const axeRun = `axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, failureSummary: n.failureSummary || ''}))})))`

// checkAxe runs axe-core on the loaded page and fails on every serious or
// critical violation; lesser ones are logged.
func checkAxe(t *testing.T, ctx context.Context, axe string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	for _, v := range violations {
		var b strings.Builder
		fmt.Fprintf(&b, "%s [%s]: %s (%s)", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %v %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
}

// largePages are checked again in the large-text, high-contrast display:
// one page of each layout is enough to catch its colours.
var largePages = []string{"home", "unit tree", "column", "entry", "search", "404"}

// TestBrowser runs every browser check against one fixture and one browser;
// each check opens its own tab and sets the display it needs.
func TestBrowser(t *testing.T) {
	axe := needBrowser(t)
	ts := browserFixture(t)
	browser := newBrowser(t)
	t.Run("accessibility", func(t *testing.T) { browserAccessibility(t, browser, ts.URL, axe) })
	t.Run("keyboard", func(t *testing.T) { browserKeyboard(t, newTab(t, browser), ts.URL) })
	t.Run("display toggle", func(t *testing.T) { browserDisplayToggle(t, newTab(t, browser), ts.URL) })
	t.Run("phone width", func(t *testing.T) { browserPhoneWidth(t, newTab(t, browser), ts.URL) })
}

func browserAccessibility(t *testing.T, browser context.Context, base, axe string) {
	for _, large := range []bool{false, true} {
		for _, p := range browserPages {
			name := p.name
			if large {
				if !slices.Contains(largePages, p.name) {
					continue
				}
				name += " (适老化)"
			}
			t.Run(name, func(t *testing.T) {
				ctx := newTab(t, browser)
				display := "/display?large=0&back=/"
				if large {
					display = "/display?large=1&back=/"
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(base+display), chromedp.Navigate(base+p.path)); err != nil {
					t.Fatal(err)
				}
				lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang + ' ' + document.documentElement.className`))
				if err != nil || !strings.HasPrefix(lang, "zh-CN") || strings.Contains(lang, "large") != large {
					t.Fatalf("html lang and class = %q, %v", lang, err)
				}
				checkAxe(t, ctx, axe)
			})
		}
	}
}

// activeElement describes the focused element for the keyboard test.
const activeElement = `(() => { const e = document.activeElement; return e ? (e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')) : '' })()`

func browserKeyboard(t *testing.T, ctx context.Context, base string) {
	for _, path := range []string{"/", "/entries/pol", "/units/fgw/columns/tzgg"} {
		t.Run(path, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
				t.Fatal(err)
			}
			var order []string
			for range 4 {
				if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
					t.Fatal(err)
				}
				el, err := chromedp.Run(ctx, chromedp.Evaluate[string](activeElement))
				if err != nil {
					t.Fatal(err)
				}
				order = append(order, el)
			}
			if order[0] != "a.skip-link" {
				t.Errorf("first Tab reaches %s, want the skip link (order %v)", order[0], order)
			}
			found := false
			for _, el := range order {
				found = found || el == "#site-q"
			}
			if !found {
				t.Errorf("the search box is not among the first four Tab stops: %v", order)
			}
			// The skip link shows itself when focused and moves focus to
			// the main content.
			err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.KeyEvent("\t"))
			if err != nil {
				t.Fatal(err)
			}
			top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.activeElement.getBoundingClientRect().top`))
			if err != nil || top < 0 {
				t.Errorf("focused skip link is off screen (top %v, %v)", top, err)
			}
			if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
				t.Fatal(err)
			}
			el, err := chromedp.Run(ctx, chromedp.Evaluate[string](activeElement))
			if err != nil || el != "#main" {
				t.Errorf("after the skip link focus is on %q, want #main (%v)", el, err)
			}
		})
	}
}

func browserDisplayToggle(t *testing.T, ctx context.Context, base string) {
	state := `document.documentElement.classList.contains('large') + ' ' +
		document.querySelector('.display-toggle button').getAttribute('aria-pressed') + ' ' +
		localStorage.getItem('gk-display') + ' ' + /gk_display=large/.test(document.cookie)`
	steps := []struct {
		action string
		want   string
	}{
		{"load", "false false normal false"},
		{"click", "true true large true"},
		{"reload", "true true large true"},
		{"click", "false false normal false"},
		{"reload", "false false normal false"},
		{"forget cookie", "true true large true"},
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/display?large=0&back=/units")); err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		var err error
		switch s.action {
		case "click":
			err = chromedp.Do(ctx, chromedp.Click(".display-toggle button"))
		case "reload":
			err = chromedp.Do(ctx, chromedp.Reload())
		case "forget cookie":
			// localStorage brings the choice back when the cookie is gone.
			_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`localStorage.setItem('gk-display', 'large');
document.cookie = 'gk_display=; path=/; max-age=0'`))
			if err == nil {
				err = chromedp.Do(ctx, chromedp.Reload())
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](state))
		if err != nil || got != s.want {
			t.Errorf("step %d (%s): %q, want %q (%v)", i, s.action, got, s.want, err)
		}
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/units") {
		t.Errorf("the toggle navigated away: %s %v", loc, err)
	}
}

func browserPhoneWidth(t *testing.T, ctx context.Context, base string) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv(envScreenshots)
	for _, large := range []bool{false, true} {
		toggle := "/display?large=0&back=/"
		if large {
			toggle = "/display?large=1&back=/"
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(base+toggle)); err != nil {
			t.Fatal(err)
		}
		for _, p := range browserPages {
			t.Run(fmt.Sprintf("%s large=%v", p.name, large), func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+p.path)); err != nil {
					t.Fatal(err)
				}
				w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
				if err != nil {
					t.Fatal(err)
				}
				if w[0] > w[1] {
					wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`))
					t.Errorf("page is %d px wide in a %d px window; too wide: %v", w[0], w[1], wide)
				}
				if shots != "" && !large && (p.name == "home" || p.name == "rich entry" || p.name == "unit tree" || p.name == "search" || p.name == "search corrected") {
					png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatal(err)
					}
					file := filepath.Join(shots, "gongkai-phone-"+strings.ReplaceAll(p.name, " ", "-")+".png")
					if err := os.WriteFile(file, png, 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("screenshot %s", file)
				}
			})
		}
	}
}
