package opendata_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// benchFields are ten columns of every type, the kind of table a unit
// publishes.
var benchFields = []catalog.Field{
	{Name: "id", Title: "编号", Type: catalog.TypeString},
	{Name: "name", Title: "名称", Type: catalog.TypeString},
	{Name: "area_code", Title: "区划代码", Type: catalog.TypeString},
	{Name: "count", Title: "数量", Type: catalog.TypeInteger},
	{Name: "amount", Title: "金额", Type: catalog.TypeNumber},
	{Name: "ratio", Title: "比例", Type: catalog.TypeNumber},
	{Name: "day", Title: "日期", Type: catalog.TypeDate},
	{Name: "updated", Title: "更新时间", Type: catalog.TypeDateTime},
	{Name: "active", Title: "有效", Type: catalog.TypeBoolean},
	{Name: "note", Title: "备注", Type: catalog.TypeString},
}

var benchNames = []string{"临沂市兰山区人民医院", "沂蒙路公交站", "临沂经济技术开发区管委会", "罗庄区第二实验小学", "河东区食品经营部"}
var benchNotes = []string{"", "正常", "含逗号,和\"引号\"", "两行\n说明", "（全角标点）"}

// benchRows generates rows without holding them: a store.RowSource.
type benchRows struct {
	n, i int
}

func (g *benchRows) Next() ([]catalog.Value, error) {
	if g.i >= g.n {
		return nil, io.EOF
	}
	i := g.i
	g.i++
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%1500)
	row := []catalog.Value{
		catalog.TextValue(catalog.TypeString, fmt.Sprintf("B%08d", i+1)),
		catalog.TextValue(catalog.TypeString, benchNames[i%len(benchNames)]),
		catalog.TextValue(catalog.TypeString, fmt.Sprintf("%06d", 371300+i%30)),
		catalog.IntegerValue(int64(i % 100000)),
		catalog.TextValue(catalog.TypeNumber, fmt.Sprintf("%d.%02d", i%1000000, i%100)),
		catalog.TextValue(catalog.TypeNumber, fmt.Sprintf("0.%04d", i%10000)),
		catalog.TextValue(catalog.TypeDate, day.Format(time.DateOnly)),
		catalog.TextValue(catalog.TypeDateTime, day.Add(time.Duration(i%86400)*time.Second).Format("2006-01-02T15:04:05+08:00")),
		catalog.BooleanValue(i%3 != 0),
		catalog.TextValue(catalog.TypeString, benchNotes[i%len(benchNotes)]),
	}
	if row[9].Text == "" {
		row[9] = catalog.NullValue(catalog.TypeString)
	}
	return row, nil
}

// benchRowCount is 1,000,000 unless GONGKAI_BENCH_ROWS says otherwise.
func benchRowCount(b *testing.B) int {
	if s := os.Getenv("GONGKAI_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("GONGKAI_BENCH_ROWS=%q", s)
		}
		return n
	}
	return 1_000_000
}

// procStatus reads a field of /proc/self/status in bytes (VmRSS: resident
// now; VmHWM: the peak since the last reset).
func procStatus(b *testing.B, field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// export downloads url to a byte counter and returns the bytes, the time
// and the growth of the process's peak RSS over its RSS before (client
// and server share the process; the client keeps nothing).
func export(b *testing.B, url string) (int64, time.Duration, int64) {
	runtime.GC()
	debug.FreeOSMemory()
	before := procStatus(b, "VmRSS")
	// Writing 5 resets VmHWM to the current RSS (Linux 4.0+).
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the RSS peak (%v); the peak is since the start", err)
	}
	start := time.Now()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		b.Fatalf("%s: %d %s", url, resp.StatusCode, body)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	return n, elapsed, procStatus(b, "VmHWM") - before
}

// baseline runs a database's own CSV export of the same rows and returns
// the bytes and the time; ok is false when the client is not installed.
func baseline(b *testing.B, name string, args ...string) (int64, time.Duration, bool) {
	if _, err := exec.LookPath(name); err != nil {
		b.Logf("baseline skipped: %s is not installed", name)
		return 0, 0, false
	}
	var n countingWriter
	cmd := exec.Command(name, args...)
	cmd.Stdout = &n
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v: %s", name, err, stderr.String())
	}
	return n.n, time.Since(start), true
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// queryOne runs a query through a database's command-line client and
// returns its single value.
func queryOne(b *testing.B, name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// BenchmarkExport measures the downloads of a 1,000,000-row, ten-column
// dataset served over a loopback HTTP server: CSV in MB/s, JSON and XLSX
// in rows/s, and the process's RSS growth during each (which must stay
// under 50 MB for CSV, JSON and XLSX). The baseline is the database's own CSV
// export of the same table: sqlite3 -csv for SQLite, psql \copy for
// PostgreSQL (skipped when the client is not installed). Run it with
//
//	GONGKAI_TEST_PG=postgres://… go test -run '^$' -bench BenchmarkExport -benchtime 1x -timeout 60m ./opendata
func BenchmarkExport(b *testing.B) {
	rows := benchRowCount(b)
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			var dsn string
			switch backend {
			case "sqlite":
				dsn = "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
			case "postgres":
				if os.Getenv(storetest.EnvPG) == "" {
					b.Skip(storetest.EnvPG + " not set")
				}
				dsn = storetest.NewPGDatabase(b)
			}
			st, err := store.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			if err := st.EnsureTemplate(ctx, catalog.DefaultTemplate()); err != nil {
				b.Fatal(err)
			}
			if _, err := st.SaveUnit(ctx, catalog.Unit{Code: "tjj", Name: "临沂市统计局", Kind: catalog.KindDepartment, OrgCode: "11371300004330000X"}); err != nil {
				b.Fatal(err)
			}
			meta := catalog.Dataset{ID: "bench", Unit: "tjj", Title: "性能测试数据集", Domain: "经济统计", Fields: benchFields}
			genStart := time.Now()
			if _, _, err := st.SaveDatasetVersion(ctx, meta, &benchRows{n: rows}); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: generated %d rows in %s", backend, rows, time.Since(genStart).Round(time.Millisecond))

			fs, err := files.New(filepath.Join(b.TempDir(), "files"))
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(portal.New(portal.Deps{Store: st, Files: fs, Metrics: metrics.New(),
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
			defer srv.Close()
			base := srv.URL + "/opendata/datasets/bench"

			// A first, untimed pass warms the caches, as the baseline
			// after it finds them warm too.
			export(b, base+".csv")
			var csvMBs, jsonRows, xlsxRows float64
			var csvRSS, jsonRSS, xlsxRSS int64
			for b.Loop() {
				n, d, rss := export(b, base+".csv")
				csvMBs, csvRSS = float64(n)/1e6/d.Seconds(), rss
				b.Logf("csv:  %d bytes in %s: %.1f MB/s, %.0f rows/s, RSS growth %.1f MB", n, d.Round(time.Millisecond), csvMBs, float64(rows)/d.Seconds(), float64(rss)/1e6)
				n, d, rss = export(b, base+".json")
				jsonRows, jsonRSS = float64(rows)/d.Seconds(), rss
				b.Logf("json: %d bytes in %s: %.0f rows/s, RSS growth %.1f MB", n, d.Round(time.Millisecond), jsonRows, float64(rss)/1e6)
				n, d, rss = export(b, base+".xlsx")
				xlsxRows, xlsxRSS = float64(rows)/d.Seconds(), rss
				b.Logf("xlsx: %d bytes in %s: %.0f rows/s, RSS growth %.1f MB", n, d.Round(time.Millisecond), xlsxRows, float64(rss)/1e6)
			}
			b.ReportMetric(csvMBs, "csv-MB/s")
			b.ReportMetric(jsonRows, "json-rows/s")
			b.ReportMetric(xlsxRows, "xlsx-rows/s")
			b.ReportMetric(float64(csvRSS)/1e6, "csv-rss-MB")
			b.ReportMetric(float64(jsonRSS)/1e6, "json-rss-MB")
			b.ReportMetric(float64(xlsxRSS)/1e6, "xlsx-rss-MB")
			for format, rss := range map[string]int64{"csv": csvRSS, "json": jsonRSS, "xlsx": xlsxRSS} {
				if rss >= 50e6 {
					b.Errorf("%s export grew RSS by %.1f MB (limit 50 MB)", format, float64(rss)/1e6)
				}
			}

			cols := make([]string, len(benchFields))
			for i := range cols {
				cols[i] = "c" + strconv.Itoa(i+1)
			}
			var n int64
			var d time.Duration
			var ok bool
			switch backend {
			case "sqlite":
				db := strings.TrimPrefix(dsn, "sqlite:")
				table := queryOne(b, "sqlite3", db, "SELECT row_table FROM dataset_versions WHERE dataset_id = 'bench' AND state = 'live'")
				n, d, ok = baseline(b, "sqlite3", "-csv", "-header", db, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+" ORDER BY _row")
			case "postgres":
				table := queryOne(b, "psql", dsn, "-tAc", "SELECT row_table FROM dataset_versions WHERE dataset_id = 'bench' AND state = 'live'")
				n, d, ok = baseline(b, "psql", dsn, "-c", `\copy (SELECT `+strings.Join(cols, ", ")+` FROM `+table+` ORDER BY _row) TO STDOUT CSV HEADER`)
			}
			if ok {
				mbs := float64(n) / 1e6 / d.Seconds()
				b.Logf("baseline %s CSV: %d bytes in %s: %.1f MB/s", backend, n, d.Round(time.Millisecond), mbs)
				b.ReportMetric(mbs, "baseline-csv-MB/s")
				b.ReportMetric(csvMBs/mbs, "csv-vs-baseline")
			}
		})
	}
}
