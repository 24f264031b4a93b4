package portal_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"gongkai/internal/clientip"
	"gongkai/internal/config"
	"gongkai/internal/store/storetest"
)

func TestRateLimits(t *testing.T) {
	proxies, _ := clientip.ParseTrusted("10.0.0.0/8")
	lim := config.Limits{
		TrustedProxies: proxies,
		Search:         config.Rate{PerSecond: 0.001, Burst: 3},
		Rows:           config.Rate{PerSecond: 0.001, Burst: 2},
		Downloads:      config.Rate{PerSecond: 0.001, Burst: 2},
	}
	srv := cachedSite(t, storetest.SQLite(t), lim)
	get := func(url, peer, xff string, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", url, nil)
		req.RemoteAddr = peer + ":4000"
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	cases := []struct {
		name   string
		url    string
		burst  int
		json   bool // the refusal is the API's JSON error
		accept string
	}{
		{"search API", "/api/v1/search?q=x", 3, true, ""},
		{"search page", "/search?q=x", 3, false, "text/html"},
		{"rows API", "/opendata/api/datasets/none/rows", 2, true, ""},
		{"CKAN datastore_search", "/api/3/action/datastore_search?resource_id=none", 2, true, ""},
		{"dataset download", "/opendata/datasets/none.csv", 2, true, "text/html"},
		{"attachment", "/files/pol/1", 2, true, ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := "198.51.100." + strconv.Itoa(i+1)
			for n := range c.burst {
				if rec := get(c.url, client, "", c.accept); rec.Code == http.StatusTooManyRequests {
					t.Fatalf("request %d of the burst refused", n+1)
				}
			}
			rec := get(c.url, client, "", c.accept)
			if rec.Code != http.StatusTooManyRequests {
				t.Fatalf("after the burst: %d", rec.Code)
			}
			if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 {
				t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
			}
			if c.json {
				var body struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != "rate_limited" || body.Error.Message == "" {
					t.Errorf("refusal body: %s", rec.Body.String())
				}
			}
			// Another client is not held back by this one.
			if other := get(c.url, "203.0.113.200", "", c.accept); other.Code == http.StatusTooManyRequests {
				t.Error("another client was refused")
			}
			// Headers from an untrusted peer change nothing: still the same client.
			if spoof := get(c.url, client, "192.0.2.77", c.accept); spoof.Code != http.StatusTooManyRequests {
				t.Errorf("X-Forwarded-For from an untrusted peer escaped the limit: %d", spoof.Code)
			}
		})
	}
	t.Run("behind a trusted proxy each forwarded client has its own bucket", func(t *testing.T) {
		for n := range 3 {
			if rec := get("/api/v1/search?q=y", "10.0.0.5", "192.0.2.10", ""); rec.Code == 429 {
				t.Fatalf("request %d refused", n+1)
			}
		}
		if rec := get("/api/v1/search?q=y", "10.0.0.5", "192.0.2.10", ""); rec.Code != 429 {
			t.Errorf("forwarded client past its burst: %d", rec.Code)
		}
		if rec := get("/api/v1/search?q=y", "10.0.0.5", "192.0.2.11", ""); rec.Code == 429 {
			t.Error("a second client behind the same proxy was refused")
		}
	})
	t.Run("pages are not rate limited", func(t *testing.T) {
		for range 20 {
			if rec := get("/entries/pol", "198.51.100.1", "", ""); rec.Code != 200 {
				t.Fatalf("entry page: %d", rec.Code)
			}
		}
	})
}
