package checks

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLinksOf(t *testing.T) {
	body := `<p>见<a href="https://www.linyi.gov.cn/info/1342/151832.htm">市政府网站</a>和
<a href=" HTTP://Example.com/a#part ">另一处</a>，<a href="/info/12.htm">站内</a>、<a href="mailto:x@linyi.gov.cn">邮件</a>、
<a href="javascript:alert(1)">脚本</a>、<a href="//cdn.example.com/x.pdf">附件</a>、<a>空</a>、<a href="">空</a>、
<a href="https://www.linyi.gov.cn/info/1342/151832.htm">重复</a><map><area href="http://map.example.com/"></map>
<img src="http://img.example.com/a.png"><a href="ftp://files.example.com/">ftp</a></p>`
	want := []string{
		"https://www.linyi.gov.cn/info/1342/151832.htm",
		"http://Example.com/a",
		"https://cdn.example.com/x.pdf",
		"http://map.example.com/",
	}
	if got := LinksOf(body); !slices.Equal(got, want) {
		t.Errorf("LinksOf =\n%q\nwant\n%q", got, want)
	}
	if got := LinksOf("<p>没有链接</p><a href="); len(got) != 0 {
		t.Errorf("got %q", got)
	}
}

// linkServer is a test site; it counts requests by path and method, and
// the most requests it served at once.
type linkServer struct {
	*httptest.Server
	mu      sync.Mutex
	hits    map[string]int
	active  int
	maxSeen int
	hold    time.Duration // how long /busy/… requests take
	release chan struct{} // /gate/… requests wait for it to close
}

func newLinkServer(t *testing.T) *linkServer {
	s := &linkServer{hits: map[string]int{}, hold: 40 * time.Millisecond, release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<p>ok</p>")) })
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusMovedPermanently) })
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			return
		}
		http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusFound)
	})
	mux.HandleFunc("/nohead", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("/busy/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.active++
		s.maxSeen = max(s.maxSeen, s.active)
		s.mu.Unlock()
		time.Sleep(s.hold)
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	})
	mux.HandleFunc("/gate/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-s.release:
		case <-r.Context().Done():
		}
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Method+" "+r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		select {
		case <-s.release:
		default:
			close(s.release)
		}
		s.Close()
	})
	return s
}

func (s *linkServer) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

func (s *linkServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.hits {
		n += v
	}
	return n
}

func TestLinkChecker(t *testing.T) {
	s := newLinkServer(t)
	lc := NewLinkChecker(LinkOptions{AllowPrivate: true, Timeout: 300 * time.Millisecond})
	defer lc.Close()
	cases := []struct {
		path   string
		state  LinkState
		status int
		reason string // part of the reason
	}{
		{"/ok", LinkOK, 200, ""},
		{"/missing", LinkDead, 404, "页面不存在（HTTP 404）"},
		{"/error", LinkDead, 500, "服务器出错（HTTP 500）"},
		{"/slow", LinkFailed, 0, "0.3秒内没有响应"},
		{"/loop", LinkFailed, 0, "重定向超过5次"},
		{"/moved", LinkOK, 200, ""},
		{"/hop/5", LinkOK, 200, ""}, // five redirects are followed
		{"/hop/6", LinkFailed, 0, "重定向超过5次"},
		{"/nohead", LinkOK, 200, ""},
	}
	urls := make([]string, len(cases))
	for i, c := range cases {
		urls[i] = s.URL + c.path
	}
	start := time.Now()
	rs := lc.Check(context.Background(), urls)
	elapsed := time.Since(start)
	for i, c := range cases {
		r := rs[i]
		t.Run(c.path, func(t *testing.T) {
			if r.URL != urls[i] || r.State != c.state || r.Status != c.status || !strings.Contains(r.Reason, c.reason) || r.CheckedAt.IsZero() {
				t.Errorf("got %+v, want %s %d %q", r, c.state, c.status, c.reason)
			}
			if r.Broken() != (c.state != LinkOK) {
				t.Errorf("Broken() = %v", r.Broken())
			}
		})
	}
	if rs[5].FinalURL != s.URL+"/ok" {
		t.Errorf("redirect ended at %q", rs[5].FinalURL)
	}
	// HEAD first; GET only where HEAD got no good answer, and not after a
	// timeout (it would only double the wait).
	for _, c := range []struct {
		key  string
		want int
	}{{"HEAD /ok", 2 /* and once through /moved */}, {"GET /ok", 0}, {"HEAD /nohead", 1}, {"GET /nohead", 1}, {"GET /missing", 1}, {"HEAD /slow", 1}, {"GET /slow", 0}} {
		if n := s.count(c.key); n != c.want {
			t.Errorf("%s: %d requests, want %d", c.key, n, c.want)
		}
	}
	if elapsed > 3*time.Second {
		t.Errorf("checking took %v: the timeout did not hold", elapsed)
	}
}

func TestLinkCheckerLimits(t *testing.T) {
	for _, c := range []struct {
		name             string
		perHost, global  int
		wantMax, minSeen int
	}{
		{"per host", 2, 8, 2, 2},
		{"global", 10, 3, 3, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newLinkServer(t)
			lc := NewLinkChecker(LinkOptions{AllowPrivate: true, PerHost: c.perHost, Concurrency: c.global})
			defer lc.Close()
			var urls []string
			for i := range 12 {
				urls = append(urls, fmt.Sprintf("%s/busy/%d", s.URL, i))
			}
			for _, r := range lc.Check(context.Background(), urls) {
				if r.State != LinkOK {
					t.Errorf("%s: %+v", r.URL, r)
				}
			}
			s.mu.Lock()
			seen := s.maxSeen
			s.mu.Unlock()
			t.Logf("at most %d requests at once", seen)
			if seen > c.wantMax || seen < c.minSeen {
				t.Errorf("%d requests at once, want between %d and %d", seen, c.minSeen, c.wantMax)
			}
		})
	}
}

// linkClock is a settable clock for the cache.
type linkClock struct{ ns atomic.Int64 }

func (c *linkClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *linkClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func newLinkClock() *linkClock {
	c := &linkClock{}
	c.ns.Store(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func TestLinkCheckerCache(t *testing.T) {
	s := newLinkServer(t)
	clock := newLinkClock()
	lc := NewLinkChecker(LinkOptions{AllowPrivate: true, TTL: time.Hour, DeadTTL: 10 * time.Minute, Clock: clock.now})
	defer lc.Close()
	ok, missing := s.URL+"/ok", s.URL+"/missing"

	first := lc.Check(context.Background(), []string{ok, missing, ok})
	if first[0].Cached || first[0].State != LinkOK || first[2] != first[0] || first[1].State != LinkDead {
		t.Fatalf("first check (a link given twice gets one answer): %+v", first)
	}
	if n := s.count("HEAD /ok"); n != 1 {
		t.Errorf("a link given twice was requested %d times", n)
	}
	second := lc.Check(context.Background(), []string{ok, missing})
	if !second[0].Cached || !second[1].Cached || second[1].State != LinkDead {
		t.Errorf("second check not from the cache: %+v", second)
	}
	if n := s.total(); n != 3 { // HEAD /ok, HEAD /missing, GET /missing
		t.Errorf("%d requests after a cached check, want 3", n)
	}
	if st := lc.Stats(); st.Hits != 2 || st.Misses != 2 {
		t.Errorf("stats %+v, want 2 hits (both links, second time) and 2 misses", st)
	}
	if r, found := lc.Results(missing); !found || r.State != LinkDead {
		t.Errorf("Results(%s) = %+v, %v", missing, r, found)
	}

	// Dead results expire sooner than live ones.
	clock.advance(11 * time.Minute)
	if _, found := lc.Results(missing); found {
		t.Error("a dead result outlived its TTL")
	}
	if _, found := lc.Results(ok); !found {
		t.Error("a live result expired before its TTL")
	}
	lc.Check(context.Background(), []string{missing})
	if n := s.count("HEAD /missing"); n != 2 {
		t.Errorf("expired link requested %d times in all, want 2", n)
	}
	clock.advance(time.Hour)
	lc.Check(context.Background(), []string{ok})
	if n := s.count("HEAD /ok"); n != 2 {
		t.Errorf("expired live link requested %d times in all, want 2", n)
	}
}

func TestLinkCheckerCacheSize(t *testing.T) {
	s := newLinkServer(t)
	lc := NewLinkChecker(LinkOptions{AllowPrivate: true, CacheSize: 3})
	defer lc.Close()
	for i := range 6 {
		lc.Check(context.Background(), []string{fmt.Sprintf("%s/busy/%d", s.URL, i)})
	}
	lc.mu.Lock()
	n := len(lc.cache)
	lc.mu.Unlock()
	if n > 3 {
		t.Errorf("cache holds %d results, limit 3", n)
	}
	if _, found := lc.Results(s.URL + "/busy/5"); !found {
		t.Error("the newest result was evicted")
	}
}

func TestLinkCheckerPrivate(t *testing.T) {
	s := newLinkServer(t)
	lc := NewLinkChecker(LinkOptions{Timeout: time.Second})
	defer lc.Close()
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	urls := []string{
		s.URL + "/ok",                              // 127.0.0.1
		"http://localhost:" + port + "/ok",         // a name that resolves to loopback
		"http://[::1]:" + port + "/ok",             // IPv6 loopback
		"http://169.254.169.254/latest/meta-data/", // link-local (cloud metadata)
		"http://10.1.2.3/oa/index.htm",             // private
		"http://[::ffff:192.168.1.1]/",             // private, IPv4-mapped
		"http://0.0.0.0:" + port + "/ok",           // unspecified
		"ftp://files.example.com/a.pdf",            // not http(s)
		"javascript:alert(1)",                      // not a link
	}
	for _, r := range lc.Check(context.Background(), urls) {
		if r.State != LinkRefused {
			t.Errorf("%s: %+v, want refused", r.URL, r)
		}
	}
	if n := s.total(); n != 0 {
		t.Errorf("the private server got %d requests", n)
	}

	// A link written as a private address is reported (the public cannot
	// open it); one whose name the server resolves privately is not
	// (government networks often resolve public names to inside addresses).
	rs := lc.Check(context.Background(), urls[:5])
	fs := DeadLinkFindings(rs, "")
	var texts []string
	for _, f := range fs {
		texts = append(texts, f.Text)
	}
	want := []string{urls[0], urls[2], urls[3], urls[4]}
	if !slices.Equal(texts, want) {
		t.Errorf("findings for %q, want %q", texts, want)
	}
}

func TestLinkPrivate(t *testing.T) {
	for _, c := range []struct {
		addr    string
		private bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"10.0.0.1", true}, {"172.16.5.4", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"0.0.0.0", true}, {"100.64.0.1", true}, {"224.0.0.1", true}, {"255.255.255.255", true},
		{"::1", true}, {"::", true}, {"fe80::1", true}, {"fc00::1", true}, {"fd12:3456::1", true}, {"ff02::1", true},
		{"::ffff:10.0.0.1", true}, {"64:ff9b::a00:1", true}, {"2001:db8::1", true},
		{"8.8.8.8", false}, {"202.110.193.10", false}, {"172.32.0.1", false}, {"2400:3200::1", false}, {"64:ff9b::808:808", false},
	} {
		if got := linkPrivate(netip.MustParseAddr(c.addr)); got != c.private {
			t.Errorf("linkPrivate(%s) = %v", c.addr, got)
		}
	}
}

func TestLinkCheckerSubmit(t *testing.T) {
	s := newLinkServer(t)
	lc := NewLinkChecker(LinkOptions{AllowPrivate: true, MaxPending: 3})
	defer lc.Close()
	urls := []string{s.URL + "/gate/1", s.URL + "/gate/2", s.URL + "/gate/3", s.URL + "/gate/4"}
	start := time.Now()
	lc.Submit(urls)
	lc.Submit(urls[:1]) // already pending: not checked twice
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("Submit blocked for %v", d)
	}
	if _, found := lc.Results(urls[0]); found {
		t.Error("a result before the check ended")
	}
	if st := lc.Stats(); st.Dropped != 1 {
		t.Errorf("stats %+v, want one link dropped over the pending limit", st)
	}
	// Findings does not wait either: nothing known yet.
	if fs := lc.Findings(urls[:1], ""); len(fs) != 0 {
		t.Errorf("findings before any result: %+v", fs)
	}
	close(s.release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if r, found := lc.Results(urls[0]); found {
			if r.State != LinkOK {
				t.Errorf("result %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no result after the server answered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.count("HEAD /gate/1"); n != 1 {
		t.Errorf("%d requests for a link submitted twice", n)
	}

	// Findings submits what it does not know and reports it next time.
	dead := s.URL + "/missing"
	text := "详见 " + dead + " 。"
	if fs := lc.Findings([]string{dead}, text); len(fs) != 0 {
		t.Errorf("findings before the check: %+v", fs)
	}
	for deadline = time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, found := lc.Results(dead); found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the submitted link was never checked")
		}
	}
	fs := lc.Findings([]string{dead}, text)
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	f := fs[0]
	if f.Rule != "dead_link" || f.Severity != Warning || f.Field != FieldBody || f.Text != dead ||
		f.Suggestion != "请检查链接地址" || !strings.Contains(f.Message, "HTTP 404") || f.Start != 3 || f.End != 3+len([]rune(dead)) {
		t.Errorf("finding %+v", f)
	}
}

func TestLinkCheckerCancel(t *testing.T) {
	s := newLinkServer(t)
	lc := NewLinkChecker(LinkOptions{AllowPrivate: true})
	defer lc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := lc.Check(ctx, []string{s.URL + "/gate/x"})[0]
	if r.State != LinkFailed {
		t.Errorf("%+v", r)
	}
	// A check cut short by its caller is not a verdict on the link.
	time.Sleep(50 * time.Millisecond)
	if _, found := lc.Results(s.URL + "/gate/x"); found {
		t.Error("an aborted check was cached")
	}
}

func TestDeadLinkFindings(t *testing.T) {
	rs := []LinkResult{
		{URL: "https://a.example.com/ok", State: LinkOK, Status: 200},
		{URL: "https://a.example.com/gone", State: LinkDead, Status: 404, Reason: "页面不存在（HTTP 404）"},
		{URL: "https://b.example.com/", State: LinkFailed, Reason: "域名无法解析"},
		{URL: "https://a.example.com/gone", State: LinkDead, Status: 404, Reason: "页面不存在（HTTP 404）"},
		{URL: "ftp://x", State: LinkRefused, Reason: "不是可以检查的网址"},
	}
	fs := DeadLinkFindings(rs, "原文见https://b.example.com/。")
	if len(fs) != 2 {
		t.Fatalf("findings %+v", fs)
	}
	if fs[0].Text != "https://a.example.com/gone" || fs[0].Message != "链接无法访问：页面不存在（HTTP 404）" || fs[0].Start != 0 || fs[0].End != 0 {
		t.Errorf("%+v", fs[0])
	}
	if fs[1].Text != "https://b.example.com/" || fs[1].Start != 3 || fs[1].End != 3+len("https://b.example.com/") {
		t.Errorf("%+v", fs[1])
	}
}
