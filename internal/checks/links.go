package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Dead links (dead_link): links in an entry's body that do not resolve.
// Checking goes over the network, so it never runs inside a save: the
// editor hands the body's links to Submit, which returns at once, and the
// gate reads what is known with Findings (or Results). Requests are
// bounded three ways — a timeout per request, a limit on requests in
// flight, a smaller one per host, so a slow site is not hammered — and
// results are cached, alive or dead, for a while. Only http and https are
// followed, and never to private, loopback or link-local addresses (the
// address each connection goes to is checked, after resolution and on
// every redirect), so a body cannot make the server probe its own network.

// LinkOptions configure a LinkChecker. The zero value is the default.
type LinkOptions struct {
	Timeout      time.Duration // per request (HEAD, then GET), redirects included (default 5 s)
	Concurrency  int           // requests in flight in all (default 8)
	PerHost      int           // requests in flight to one host (default 2)
	MaxRedirects int           // redirects followed (default 5)
	TTL          time.Duration // how long a live link's result is kept (default 6 h)
	DeadTTL      time.Duration // how long a dead link's result is kept (default 30 min): a fixed link clears sooner
	CacheSize    int           // results kept at most (default 10,000)
	MaxPending   int           // submitted links waiting or in flight at most; more are dropped (default 1,000)
	// AllowPrivate lets links to private, loopback and link-local
	// addresses be checked. Tests need it (httptest listens on 127.0.0.1);
	// a server should not set it.
	AllowPrivate bool
	UserAgent    string           // default "GongkaiLinkCheck/1"
	Clock        func() time.Time // time source for the cache (default time.Now)
}

func (o LinkOptions) withDefaults() LinkOptions {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.TTL <= 0 {
		o.TTL = 6 * time.Hour
	}
	if o.DeadTTL <= 0 {
		o.DeadTTL = 30 * time.Minute
	}
	if o.CacheSize <= 0 {
		o.CacheSize = 10000
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 1000
	}
	if o.UserAgent == "" {
		o.UserAgent = "GongkaiLinkCheck/1"
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o
}

// LinkState is what a check found.
type LinkState string

// Link states.
const (
	LinkOK      LinkState = "ok"      // answered with a status below 400
	LinkDead    LinkState = "dead"    // answered 4xx or 5xx
	LinkFailed  LinkState = "failed"  // no usable answer: timeout, unknown host, refused connection, redirect loop, bad certificate
	LinkRefused LinkState = "refused" // not checked: not http(s), or a private / loopback / link-local address
)

// LinkResult is the outcome of checking one link.
type LinkResult struct {
	URL       string    `json:"url"`
	State     LinkState `json:"state"`
	Status    int       `json:"status,omitempty"`    // the last HTTP status, 0 when none
	FinalURL  string    `json:"final_url,omitempty"` // where redirects ended
	Reason    string    `json:"reason,omitempty"`    // why it is not OK, in Chinese
	CheckedAt time.Time `json:"checked_at"`
	Cached    bool      `json:"cached,omitempty"` // served from the cache
	// privateLiteral marks a link whose host is written as a private or
	// loopback address: unreachable for the public whatever the server sees.
	privateLiteral bool
}

// Broken reports whether the link is dead or could not be reached.
func (r LinkResult) Broken() bool { return r.State == LinkDead || r.State == LinkFailed }

// LinkStats counts the checker's work.
type LinkStats struct {
	Hits    int64 // results served from the cache
	Misses  int64 // links that had to be checked
	Dropped int64 // submitted links dropped because too many were pending
}

// LinkChecker checks links. It is safe for concurrent use; Close stops
// background checks.
type LinkChecker struct {
	opt    LinkOptions
	client *http.Client
	global chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	cache    map[string]linkCached
	inflight map[string]*linkCall
	hosts    map[string]*linkHost
	stats    LinkStats
}

type linkCached struct {
	r       LinkResult
	expires time.Time
}

type linkCall struct {
	done chan struct{}
	r    LinkResult
}

type linkHost struct {
	slots chan struct{}
	users int
}

// errLinkPrivate marks a connection refused for its address.
var errLinkPrivate = errors.New("private address")

// NewLinkChecker returns a checker with its own HTTP client: no proxy
// from the environment (a proxy would hide where connections go), the
// address of every connection checked, redirects bounded.
func NewLinkChecker(opt LinkOptions) *LinkChecker {
	opt = opt.withDefaults()
	lc := &LinkChecker{opt: opt, global: make(chan struct{}, opt.Concurrency),
		cache: map[string]linkCached{}, inflight: map[string]*linkCall{}, hosts: map[string]*linkHost{}}
	lc.ctx, lc.cancel = context.WithCancel(context.Background())
	dialer := &net.Dialer{Timeout: opt.Timeout, KeepAlive: 30 * time.Second}
	if !opt.AllowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", errLinkPrivate, address)
			}
			if linkPrivate(ap.Addr()) {
				return fmt.Errorf("%w: %s", errLinkPrivate, ap.Addr())
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   opt.PerHost,
		MaxConnsPerHost:       opt.PerHost * 2,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   opt.Timeout,
		ResponseHeaderTimeout: opt.Timeout,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
	lc.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opt.MaxRedirects {
				return errLinkRedirects
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errLinkScheme
			}
			return nil
		},
	}
	return lc
}

var (
	errLinkRedirects = errors.New("too many redirects")
	errLinkScheme    = errors.New("redirect to a scheme other than http(s)")
)

// linkPrivate reports whether an address is one a public page's link must
// not make the server connect to.
func linkPrivate(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range linkReserved {
		if p.Contains(a) {
			return true
		}
	}
	// NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
	if linkNAT64.Contains(a) {
		b := a.As16()
		return linkPrivate(netip.AddrFrom4([4]byte(b[12:])))
	}
	return false
}

var linkNAT64 = netip.MustParsePrefix("64:ff9b::/96")

// linkReserved are ranges beyond what netip classifies that are not on
// the public internet: "this network", shared address space (carrier NAT),
// IETF protocol assignments, benchmarking, reserved, and the IPv6
// discard, translation and documentation prefixes.
var linkReserved = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "100::/64", "64:ff9b:1::/48", "2001:db8::/32"} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// Close stops background checks and waits for them.
func (lc *LinkChecker) Close() {
	lc.cancel()
	lc.wg.Wait()
	lc.client.CloseIdleConnections()
}

// Stats returns the checker's counters.
func (lc *LinkChecker) Stats() LinkStats {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.stats
}

// Check checks urls and returns a result for each, in order (duplicates
// are checked once). It blocks until all are known or ctx ends; a link
// whose check ctx cut short is reported failed and not cached.
func (lc *LinkChecker) Check(ctx context.Context, urls []string) []LinkResult {
	out := make([]LinkResult, len(urls))
	// A link given again gets the answer of its first place, looked up
	// once: asked of the cache a second time, it would be found there
	// when its check happened to finish in between.
	first := make(map[string]int, len(urls))
	calls := make(map[string]*linkCall, len(urls))
	for i, u := range urls {
		u = strings.TrimSpace(u)
		if _, again := first[u]; again {
			continue
		}
		first[u] = i
		if r, ok := lc.cached(u); ok {
			out[i] = r
			continue
		}
		calls[u] = lc.start(ctx, u)
	}
	for i, u := range urls {
		u = strings.TrimSpace(u)
		if first[u] != i {
			continue
		}
		c, ok := calls[u]
		if !ok {
			continue
		}
		select {
		case <-c.done:
			out[i] = c.r
		case <-ctx.Done():
			out[i] = LinkResult{URL: u, State: LinkFailed, Reason: "检查被中止", CheckedAt: lc.opt.Clock()}
		}
	}
	for i, u := range urls {
		if j := first[strings.TrimSpace(u)]; j != i {
			out[i] = out[j]
		}
	}
	return out
}

// Submit queues urls for checking in the background and returns at once:
// what a save calls. Links already known or being checked are skipped;
// when too many are pending the rest are dropped (and counted) — they
// are submitted again the next time the entry is saved or reviewed.
func (lc *LinkChecker) Submit(urls []string) {
	for _, u := range urls {
		u = strings.TrimSpace(u)
		if _, ok := lc.cached(u); ok {
			continue
		}
		lc.mu.Lock()
		_, busy := lc.inflight[u]
		full := len(lc.inflight) >= lc.opt.MaxPending
		if !busy && full {
			lc.stats.Dropped++
		}
		lc.mu.Unlock()
		if !busy && !full {
			lc.start(lc.ctx, u)
		}
	}
}

// Results returns what is known of a link: its cached result, or false
// when it has not been checked (or its result expired) yet.
func (lc *LinkChecker) Results(url string) (LinkResult, bool) {
	return lc.cached(strings.TrimSpace(url))
}

// Findings turns what is known of urls into dead_link findings without
// waiting: links not checked yet are submitted and reported next time.
// plainText is the body's plain text, for offsets when a link is written
// out in it.
func (lc *LinkChecker) Findings(urls []string, plainText string) []Finding {
	var known []LinkResult
	var unknown []string
	for _, u := range urls {
		if r, ok := lc.Results(u); ok {
			known = append(known, r)
		} else {
			unknown = append(unknown, u)
		}
	}
	if len(unknown) > 0 {
		lc.Submit(unknown)
	}
	return DeadLinkFindings(known, plainText)
}

// cached returns a live cache entry, counting the hit or the miss.
func (lc *LinkChecker) cached(u string) (LinkResult, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	c, ok := lc.cache[u]
	if ok && lc.opt.Clock().Before(c.expires) {
		lc.stats.Hits++
		r := c.r
		r.Cached = true
		return r, true
	}
	if ok {
		delete(lc.cache, u)
	}
	return LinkResult{}, false
}

// start begins checking u unless a check of it is already under way, and
// returns the call to wait on.
func (lc *LinkChecker) start(ctx context.Context, u string) *linkCall {
	lc.mu.Lock()
	if c, ok := lc.inflight[u]; ok {
		lc.mu.Unlock()
		return c
	}
	c := &linkCall{done: make(chan struct{})}
	lc.inflight[u] = c
	lc.stats.Misses++
	lc.wg.Add(1)
	lc.mu.Unlock()
	go func() {
		defer lc.wg.Done()
		r := lc.check(ctx, u)
		lc.mu.Lock()
		// A check cut short by its caller says nothing about the link.
		if ctx.Err() == nil {
			lc.store(u, r)
		}
		c.r = r
		delete(lc.inflight, u)
		lc.mu.Unlock()
		close(c.done)
	}()
	return c
}

// store caches r; lc.mu is held. A full cache first loses its expired
// entries, then the one closest to expiry.
func (lc *LinkChecker) store(u string, r LinkResult) {
	now := lc.opt.Clock()
	if len(lc.cache) >= lc.opt.CacheSize {
		for k, c := range lc.cache {
			if !now.Before(c.expires) {
				delete(lc.cache, k)
			}
		}
		for len(lc.cache) >= lc.opt.CacheSize {
			var oldest string
			var at time.Time
			for k, c := range lc.cache {
				if oldest == "" || c.expires.Before(at) {
					oldest, at = k, c.expires
				}
			}
			delete(lc.cache, oldest)
		}
	}
	ttl := lc.opt.TTL
	if r.State != LinkOK {
		ttl = lc.opt.DeadTTL
	}
	lc.cache[u] = linkCached{r: r, expires: now.Add(ttl)}
}

// check checks one link: HEAD, then GET when HEAD gets no good answer
// (many servers refuse or mishandle HEAD), except after a timeout.
func (lc *LinkChecker) check(ctx context.Context, raw string) LinkResult {
	res := LinkResult{URL: raw}
	done := func(r LinkResult) LinkResult {
		r.CheckedAt = lc.opt.Clock()
		return r
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		res.State, res.Reason = LinkRefused, "不是可以检查的网址（只检查 http 和 https 链接）"
		return done(res)
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil && linkPrivate(a) {
		res.privateLiteral = true
		if !lc.opt.AllowPrivate {
			res.State, res.Reason = LinkRefused, "链接指向内网或本机地址，公众无法访问"
			return done(res)
		}
	}

	release, err := lc.acquire(ctx, strings.ToLower(u.Hostname()))
	if err != nil {
		res.State, res.Reason = LinkFailed, "检查被中止"
		return done(res)
	}
	defer release()

	status, final, err := lc.request(ctx, http.MethodHead, u)
	if (err == nil && status >= 400) || (err != nil && !linkTimeout(err) && !errors.Is(err, errLinkPrivate) &&
		!errors.Is(err, errLinkRedirects) && !linkNoHost(err)) {
		status, final, err = lc.request(ctx, http.MethodGet, u)
	}
	res.Status, res.FinalURL = status, final
	switch {
	case err != nil:
		res.State, res.Reason = LinkFailed, lc.reason(err)
		if errors.Is(err, errLinkPrivate) {
			res.State = LinkRefused
		}
	case status >= 400:
		res.State, res.Reason = LinkDead, linkStatusReason(status)
	default:
		res.State = LinkOK
	}
	return done(res)
}

// acquire takes a slot for host, then a global one.
func (lc *LinkChecker) acquire(ctx context.Context, host string) (release func(), err error) {
	lc.mu.Lock()
	h := lc.hosts[host]
	if h == nil {
		h = &linkHost{slots: make(chan struct{}, lc.opt.PerHost)}
		lc.hosts[host] = h
	}
	h.users++
	lc.mu.Unlock()
	drop := func() {
		lc.mu.Lock()
		if h.users--; h.users == 0 {
			delete(lc.hosts, host)
		}
		lc.mu.Unlock()
	}
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
	select {
	case lc.global <- struct{}{}:
	case <-ctx.Done():
		<-h.slots
		drop()
		return nil, ctx.Err()
	}
	return func() {
		<-lc.global
		<-h.slots
		drop()
	}, nil
}

// request sends one request with the per-request timeout and reads a
// little of the body.
func (lc *LinkChecker) request(ctx context.Context, method string, u *url.URL) (status int, final string, err error) {
	ctx, cancel := context.WithTimeout(ctx, lc.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("User-Agent", lc.opt.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err := lc.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if method == http.MethodGet {
		_, _ = io.CopyN(io.Discard, resp.Body, 16<<10)
	}
	return resp.StatusCode, resp.Request.URL.String(), nil
}

func linkTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func linkNoHost(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// reason says in Chinese why a request failed.
func (lc *LinkChecker) reason(err error) string {
	var de *net.DNSError
	var ce *tls.CertificateVerificationError
	switch {
	case errors.Is(err, errLinkPrivate):
		return "链接指向内网或本机地址，不予检查"
	case errors.Is(err, errLinkRedirects):
		return fmt.Sprintf("重定向超过%d次（可能是重定向循环）", lc.opt.MaxRedirects)
	case errors.Is(err, errLinkScheme):
		return "重定向到了非 http(s) 地址"
	case linkTimeout(err):
		return fmt.Sprintf("%s内没有响应", linkSeconds(lc.opt.Timeout))
	case errors.As(err, &de):
		if de.IsNotFound {
			return "域名无法解析"
		}
		return "域名解析失败"
	case errors.As(err, &ce):
		return "网站证书无效"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "服务器拒绝连接"
	}
	return "无法连接"
}

func linkSeconds(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%d秒", d/time.Second)
	}
	return fmt.Sprintf("%g秒", d.Seconds())
}

func linkStatusReason(status int) string {
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		return fmt.Sprintf("页面不存在（HTTP %d）", status)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Sprintf("页面禁止访问（HTTP %d）", status)
	case status >= 500:
		return fmt.Sprintf("服务器出错（HTTP %d）", status)
	}
	return fmt.Sprintf("页面无法访问（HTTP %d）", status)
}

// DeadLinkFindings turns results into dead_link warnings: dead and
// unreachable links, and links written as a private address (which the
// public cannot open). Links not checked for another reason give none.
// plainText is the body's plain text: when a link is written out in it,
// the finding points at it; otherwise its offsets are 0.
func DeadLinkFindings(results []LinkResult, plainText string) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, r := range results {
		if seen[r.URL] || !(r.Broken() || r.privateLiteral && r.State == LinkRefused) {
			continue
		}
		seen[r.URL] = true
		f := Finding{Rule: "dead_link", Severity: Warning, Field: FieldBody, Text: r.URL,
			Message: "链接无法访问：" + r.Reason, Suggestion: "请检查链接地址"}
		if r.State == LinkRefused {
			f.Message = r.Reason
		}
		if i := strings.Index(plainText, r.URL); i >= 0 && r.URL != "" {
			f.Start = utf8.RuneCountInString(plainText[:i])
			f.End = f.Start + utf8.RuneCountInString(r.URL)
		}
		out = append(out, f)
	}
	return out
}

// LinksOf returns the absolute http and https links (a and area hrefs) of
// an HTML body, each once, in document order. Protocol-relative links
// (//host/path) are read as https; relative ones point into the portal
// itself and are left out.
func LinksOf(bodyHTML string) []string {
	var out []string
	seen := map[string]bool{}
	z := html.NewTokenizer(strings.NewReader(bodyHTML))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr || (string(name) != "a" && string(name) != "area") {
			continue
		}
		for {
			k, v, more := z.TagAttr()
			if string(k) == "href" {
				if u := linkAbsolute(string(v)); u != "" && !seen[u] {
					seen[u] = true
					out = append(out, u)
				}
			}
			if !more {
				break
			}
		}
	}
}

// linkAbsolute returns href as an absolute http(s) URL, or "".
func linkAbsolute(href string) string {
	href = strings.TrimSpace(href)
	if strings.HasPrefix(href, "//") {
		href = "https:" + href
	}
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Fragment = ""
	return u.String()
}
