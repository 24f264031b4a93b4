package clientip

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClient(t *testing.T) {
	trusted, err := ParseTrusted("10.0.0.0/8, 127.0.0.1 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	r := New(trusted)
	cases := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy, no header", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"untrusted peer's header is ignored", "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"},
		{"untrusted peer spoofing a trusted address", "203.0.113.7:5000", []string{"10.0.0.1"}, "203.0.113.7"},
		{"trusted proxy, one hop", "10.1.2.3:443", []string{"198.51.100.9"}, "198.51.100.9"},
		{"trusted proxy without a header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"client-written left part is skipped", "10.1.2.3:443", []string{"6.6.6.6, 198.51.100.9"}, "198.51.100.9"},
		{"chain of trusted proxies", "127.0.0.1:1", []string{"6.6.6.6, 198.51.100.9, 10.9.9.9, 10.8.8.8"}, "198.51.100.9"},
		{"chain over several header lines", "127.0.0.1:1", []string{"6.6.6.6, 198.51.100.9", "10.9.9.9"}, "198.51.100.9"},
		{"all hops trusted: the left-most", "10.1.2.3:443", []string{"10.5.5.5, 10.6.6.6"}, "10.5.5.5"},
		{"garbage stops the walk at the last good hop", "10.1.2.3:443", []string{"198.51.100.9, not-an-ip, 10.6.6.6"}, "10.6.6.6"},
		{"hop with a port", "10.1.2.3:443", []string{"198.51.100.9:3456"}, "198.51.100.9"},
		{"IPv6 proxy and client", "[2001:db8::5]:443", []string{"2001:db8:1::1, 2400:cb00::1"}, "2400:cb00::1"},
		{"IPv4-mapped peer counts as IPv4", "[::ffff:10.1.2.3]:443", []string{"198.51.100.9"}, "198.51.100.9"},
		{"remote address without a port", "203.0.113.7", []string{"1.2.3.4"}, "203.0.113.7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = c.remote
			for _, v := range c.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.Client(req); got != c.want {
				t.Errorf("Client = %q, want %q", got, c.want)
			}
		})
	}
}

func TestZeroResolverTrustsNobody(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "127.0.0.1:9"
	req.Header.Set("X-Forwarded-For", "1.2.3.4")
	var r *Resolver
	if got := r.Client(req); got != "127.0.0.1" {
		t.Errorf("nil resolver: %q", got)
	}
	if got := New(nil).Client(req); got != "127.0.0.1" {
		t.Errorf("empty resolver: %q", got)
	}
}

func TestParseTrusted(t *testing.T) {
	cases := []struct {
		in      string
		n       int
		wantErr bool
	}{
		{"", 0, false},
		{"10.0.0.0/8", 1, false},
		{"10.0.0.1/8", 1, false}, // host bits are masked
		{"10.0.0.0/8,192.168.0.0/16 ::1", 3, false},
		{"10.0.0.0/33", 0, true},
		{"proxy.example", 0, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseTrusted(c.in)
			if (err != nil) != c.wantErr || len(got) != c.n {
				t.Errorf("ParseTrusted(%q) = %v, %v", c.in, got, err)
			}
		})
	}
}

func TestMiddlewareAndFrom(t *testing.T) {
	trusted, _ := ParseTrusted("127.0.0.0/8")
	var seen string
	h := New(trusted).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = From(r) }))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "127.0.0.1:9"
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "198.51.100.9" {
		t.Errorf("From behind the middleware = %q", seen)
	}
	bare := httptest.NewRequest(http.MethodGet, "/", nil)
	bare.RemoteAddr = "192.0.2.1:80"
	bare.Header.Set("X-Forwarded-For", "198.51.100.9")
	if got := From(bare); got != "192.0.2.1" {
		t.Errorf("From without the middleware = %q", got)
	}
}
