package config

// Traffic limits and the page cache of `serve`: how many requests it
// holds at once, how fast one client may search, read rows and download,
// which proxies it trusts to name the client, and how much memory the
// rendered-page cache takes. docs/caching-and-limits.md explains each.

import (
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/clientip"
)

// Limits is the traffic configuration of `serve`.
type Limits struct {
	// TrustedProxies lists the reverse proxies (CIDRs or addresses) whose
	// X-Forwarded-For names the client; from any other peer the peer is the
	// client.
	TrustedProxies []netip.Prefix
	// MaxInFlight caps the requests served at once; more are answered 503
	// with Retry-After. Zero or less: no cap.
	MaxInFlight int
	// Per-client token buckets: searches, dataset row reads (rows API,
	// CKAN datastore_search) and downloads (dataset files, attachments).
	Search, Rows, Downloads Rate
	// PageCacheBytes bounds the rendered-page cache; zero turns it off.
	PageCacheBytes int64
	// CacheRecheck is how often the change log's sequence is re-read to
	// invalidate the cache (zero: on every request). Writes made through
	// this process invalidate at once whatever it is.
	CacheRecheck time.Duration
}

// Rate is a token bucket: PerSecond tokens a second, Burst at most. A
// zero PerSecond means no limit.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.PerSecond <= 0 }

func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return strconv.FormatFloat(r.PerSecond, 'g', -1, 64) + ":" + strconv.Itoa(r.Burst)
}

// ParseRate reads "RATE:BURST" (per second, e.g. "5:20"), "RATE" (burst
// twice the rate, at least 1) or "off".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	perS, burstS, hasBurst := strings.Cut(s, ":")
	per, err := strconv.ParseFloat(perS, 64)
	if err != nil || per <= 0 || per > 1e9 {
		return Rate{}, fmt.Errorf("rate %q must be RATE:BURST per second (e.g. 5:20) or off", s)
	}
	burst := max(int(2*per), 1)
	if hasBurst {
		b, err := strconv.Atoi(burstS)
		if err != nil || b < 1 || b > 1e9 {
			return Rate{}, fmt.Errorf("rate %q: the burst must be a whole number of at least 1 (e.g. 5:20)", s)
		}
		burst = b
	}
	return Rate{PerSecond: per, Burst: burst}, nil
}

// Defaults of the limits.
const (
	DefaultMaxInFlight    = 512
	DefaultSearchRate     = "5:20"
	DefaultRowsRate       = "5:20"
	DefaultDownloadsRate  = "2:10"
	DefaultPageCacheMB    = 64
	DefaultCacheRecheckMS = 200
)

// limitFlags holds the flags' text until Resolve reads it.
type limitFlags struct {
	proxies, inFlight, search, rows, downloads, cacheMB, recheck string
}

// Bind registers the limits' flags of `serve`.
func (l *Limits) Bind(fs *flag.FlagSet) *LimitsFlags {
	f := &LimitsFlags{}
	fs.StringVar(&f.v.proxies, "trusted-proxies", "", "reverse proxies whose X-Forwarded-For names the client, CIDRs or addresses, comma-separated (env GONGKAI_TRUSTED_PROXIES; default none)")
	fs.StringVar(&f.v.inFlight, "max-in-flight", "", "requests served at once before 503 (env GONGKAI_MAX_IN_FLIGHT, default "+strconv.Itoa(DefaultMaxInFlight)+"; 0: no cap)")
	fs.StringVar(&f.v.search, "rate-search", "", "searches per client, RATE:BURST per second or off (env GONGKAI_RATE_SEARCH, default "+DefaultSearchRate+")")
	fs.StringVar(&f.v.rows, "rate-rows", "", "dataset row reads per client, RATE:BURST or off (env GONGKAI_RATE_ROWS, default "+DefaultRowsRate+")")
	fs.StringVar(&f.v.downloads, "rate-downloads", "", "downloads per client, RATE:BURST or off (env GONGKAI_RATE_DOWNLOADS, default "+DefaultDownloadsRate+")")
	fs.StringVar(&f.v.cacheMB, "page-cache-mb", "", "memory for rendered pages, in MB (env GONGKAI_PAGE_CACHE_MB, default "+strconv.Itoa(DefaultPageCacheMB)+"; 0: off)")
	fs.StringVar(&f.v.recheck, "cache-recheck-ms", "", "how often the change log is re-read to invalidate cached pages, in ms (env GONGKAI_CACHE_RECHECK_MS, default "+strconv.Itoa(DefaultCacheRecheckMS)+"; 0: every request)")
	f.l = l
	return f
}

// LimitsFlags are the parsed flags of Bind.
type LimitsFlags struct {
	l *Limits
	v limitFlags
}

// Resolve fills the limits from the flags, the environment and the
// defaults, and checks them.
func (f *LimitsFlags) Resolve(getenv func(string) string) error {
	pick := func(v, env, def string) string {
		if v == "" {
			v = getenv(env)
		}
		if v == "" {
			v = def
		}
		return strings.TrimSpace(v)
	}
	l := f.l
	proxies, err := clientip.ParseTrusted(pick(f.v.proxies, "GONGKAI_TRUSTED_PROXIES", ""))
	if err != nil {
		return fmt.Errorf("config: --trusted-proxies: %w", err)
	}
	l.TrustedProxies = proxies
	n, err := strconv.Atoi(pick(f.v.inFlight, "GONGKAI_MAX_IN_FLIGHT", strconv.Itoa(DefaultMaxInFlight)))
	if err != nil {
		return fmt.Errorf("config: --max-in-flight must be a whole number (e.g. %d)", DefaultMaxInFlight)
	}
	l.MaxInFlight = n
	for _, r := range []struct {
		dst       *Rate
		v, env    string
		def, flag string
	}{
		{&l.Search, f.v.search, "GONGKAI_RATE_SEARCH", DefaultSearchRate, "--rate-search"},
		{&l.Rows, f.v.rows, "GONGKAI_RATE_ROWS", DefaultRowsRate, "--rate-rows"},
		{&l.Downloads, f.v.downloads, "GONGKAI_RATE_DOWNLOADS", DefaultDownloadsRate, "--rate-downloads"},
	} {
		if *r.dst, err = ParseRate(pick(r.v, r.env, r.def)); err != nil {
			return fmt.Errorf("config: %s: %w", r.flag, err)
		}
	}
	mb, err := strconv.Atoi(pick(f.v.cacheMB, "GONGKAI_PAGE_CACHE_MB", strconv.Itoa(DefaultPageCacheMB)))
	if err != nil || mb < 0 || mb > 1<<20 {
		return fmt.Errorf("config: --page-cache-mb must be a whole number of MB (e.g. %d)", DefaultPageCacheMB)
	}
	l.PageCacheBytes = int64(mb) << 20
	ms, err := strconv.Atoi(pick(f.v.recheck, "GONGKAI_CACHE_RECHECK_MS", strconv.Itoa(DefaultCacheRecheckMS)))
	if err != nil || ms < 0 || ms > 60000 {
		return fmt.Errorf("config: --cache-recheck-ms must be 0 to 60000 (e.g. %d)", DefaultCacheRecheckMS)
	}
	l.CacheRecheck = time.Duration(ms) * time.Millisecond
	return nil
}
