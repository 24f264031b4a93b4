package opendata

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// TestDownloadCapPerClient fills one client's export slots and checks
// that its next download is refused with 429 while another client's is
// served.
func TestDownloadCapPerClient(t *testing.T) {
	st := storetest.SQLite(t)
	storetest.Unit(t, st, "jtj")
	fields := []catalog.Field{{Name: "x", Type: catalog.TypeString}}
	meta := catalog.Dataset{ID: "ds", Unit: "jtj", Title: "测试", Domain: "道路交通", Fields: fields}
	if _, _, err := st.SaveDatasetVersion(context.Background(), meta, store.RowsOf([][]catalog.Value{{catalog.TextValue(catalog.TypeString, "a")}})); err != nil {
		t.Fatal(err)
	}
	s := New(Deps{Store: st, ExportsPerClient: 2, Fail: func(w http.ResponseWriter, r *http.Request, err error) {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrNotFound) {
			status = http.StatusNotFound
		}
		w.WriteHeader(status)
	}})
	for range 2 {
		if _, ok := s.limits.Acquire("192.0.2.1"); !ok {
			t.Fatal("slot")
		}
	}
	get := func(addr string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/opendata/datasets/ds.csv", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		s.Download(w, r, "ds", "csv")
		return w
	}
	if w := get("192.0.2.1:5000"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("busy client: %d %s", w.Code, w.Body)
	}
	if w := get("192.0.2.2:5000"); w.Code != http.StatusOK || w.Body.String() != "x\r\na\r\n" {
		t.Fatalf("other client: %d %q", w.Code, w.Body)
	}
	if s.limits.Active("192.0.2.2") != 0 {
		t.Fatal("slot kept after the download")
	}
	if w := get("192.0.2.2:5000"); w.Code != http.StatusOK {
		t.Fatal("second download")
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := httptest.NewRecorder()
	s.Download(w, r, "nope", "csv")
	if w.Code != http.StatusNotFound {
		t.Fatalf("unknown dataset: %d", w.Code)
	}
}
