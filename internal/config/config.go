// Package config builds the typed configuration of one command from its
// flags and the GONGKAI_* environment. A flag wins over the environment,
// which wins over the default. The Config is passed explicitly; nothing
// here is global.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is what a command needs to find its data and serve it.
type Config struct {
	Addr    string // listen address of `serve`
	DataDir string // data directory: SQLite file, file store, search index
	DB      string // database URL: sqlite:PATH or postgres://…; empty means the SQLite file under DataDir
	Files   string // file store (attachments, documents); empty means DataDir/files; replicas share one (docs/replicas.md)
	Site    Site   // what every public page's footer says

	// MetricsAddr is where `serve` answers /metrics apart from Addr (which
	// then answers it 404); empty serves it on Addr.
	MetricsAddr string

	// IndexShards is how many shards a rebuild of the search index makes
	// (1 to 64; docs/search.md); 0 before Resolve means not given.
	IndexShards int

	baseURLFrom string // where Site.BaseURL came from, for the start-up log
}

// Site is the footer a government site must carry.
type Site struct {
	Name     string // site name
	Host     string // 主办单位
	Contact  string // 联系方式
	SiteCode string // 网站标识码
	ICP      string // ICP 备案号
	PSB      string // 公安备案号
	// BaseURL is the site's public address (scheme, host and an optional
	// path, no trailing slash), which every absolute link is built on:
	// CKAN resource URLs, DCAT, JSON-LD, feeds, sitemaps, next-page links.
	// It never comes from a request's Host header.
	BaseURL string
}

// Defaults.
const (
	DefaultAddr = "127.0.0.1:8080"
	DefaultData = "./data"

	DefaultIndexShards = 1
	MaxIndexShards     = 64
)

// Bind registers the storage flags (--data, --db) and, with serve, --addr
// and --base-url. Call Resolve after parsing.
func (c *Config) Bind(fs *flag.FlagSet, serve bool) {
	if serve {
		fs.StringVar(&c.Addr, "addr", "", "listen address (env GONGKAI_ADDR, default "+DefaultAddr+")")
		fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "serve /metrics on this address only, e.g. 127.0.0.1:9090 (env GONGKAI_METRICS_ADDR; default on --addr)")
		fs.StringVar(&c.Site.BaseURL, "base-url", "", "public address absolute links are built on, e.g. https://gk.linyi.gov.cn (env GONGKAI_BASE_URL; default http:// and the listen address, 127.0.0.1 for a wildcard host)")
	}
	fs.StringVar(&c.DataDir, "data", "", "data directory (env GONGKAI_DATA, default "+DefaultData+")")
	fs.StringVar(&c.DB, "db", "", "database URL: sqlite:PATH or postgres://… (env GONGKAI_DB; default the SQLite file under --data)")
	fs.StringVar(&c.Files, "files", "", "file store directory for attachments and generated documents, shared by all replicas (env GONGKAI_FILES, default DATA/files)")
}

// BindIndex registers --index-shards, for the commands that build the
// search index (serve and index).
func (c *Config) BindIndex(fs *flag.FlagSet) {
	fs.IntVar(&c.IndexShards, "index-shards", 0, fmt.Sprintf("shards a rebuild of the search index makes, 1 to %d (env GONGKAI_INDEX_SHARDS, default %d)", MaxIndexShards, DefaultIndexShards))
}

// Resolve fills what the flags left empty from the environment and the
// defaults, and checks the result.
func (c *Config) Resolve(getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	pick := func(v *string, env, def string) {
		if *v == "" {
			*v = getenv(env)
		}
		if *v == "" {
			*v = def
		}
	}
	pick(&c.Addr, "GONGKAI_ADDR", DefaultAddr)
	pick(&c.DataDir, "GONGKAI_DATA", DefaultData)
	pick(&c.DB, "GONGKAI_DB", "")
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.DataDir, "gongkai.db")
	}
	pick(&c.Files, "GONGKAI_FILES", "")
	if c.Files != "" {
		c.Files = filepath.Clean(c.Files)
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("config: --db must be sqlite:PATH or postgres://… (got %q)", c.DB)
	}
	if err := c.resolveShards(getenv); err != nil {
		return err
	}
	pick(&c.MetricsAddr, "GONGKAI_METRICS_ADDR", "")
	if err := c.checkMetricsAddr(); err != nil {
		return err
	}
	pick(&c.Site.Name, "GONGKAI_SITE_NAME", "临沂市人民政府 政府信息公开")
	pick(&c.Site.Host, "GONGKAI_SITE_HOST", "临沂市人民政府办公室")
	pick(&c.Site.Contact, "GONGKAI_SITE_CONTACT", "0539-8311000")
	pick(&c.Site.SiteCode, "GONGKAI_SITE_CODE", "3713000001")
	pick(&c.Site.ICP, "GONGKAI_SITE_ICP", "鲁ICP备05008877号")
	pick(&c.Site.PSB, "GONGKAI_SITE_PSB", "鲁公网安备 37130202000001号")
	return c.resolveBaseURL(getenv)
}

// resolveShards takes the index shards from --index-shards, else
// GONGKAI_INDEX_SHARDS, else the default.
func (c *Config) resolveShards(getenv func(string) string) error {
	from, s := "--index-shards", strconv.Itoa(c.IndexShards)
	if c.IndexShards == 0 {
		from, s = "GONGKAI_INDEX_SHARDS", strings.TrimSpace(getenv("GONGKAI_INDEX_SHARDS"))
		if s == "" {
			c.IndexShards = DefaultIndexShards
			return nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxIndexShards {
		return fmt.Errorf("config: %s must be a whole number from 1 to %d (got %q)", from, MaxIndexShards, s)
	}
	c.IndexShards = n
	return nil
}

// checkMetricsAddr checks a separate metrics address: host:port, and not
// the main address.
func (c *Config) checkMetricsAddr() error {
	if c.MetricsAddr == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
		return fmt.Errorf("config: --metrics-addr must be host:port, e.g. 127.0.0.1:9090 (got %q)", c.MetricsAddr)
	}
	if c.MetricsAddr == c.Addr {
		return fmt.Errorf("config: --metrics-addr %q is the listen address; give another one or leave it out", c.MetricsAddr)
	}
	return nil
}

// resolveBaseURL takes the base URL from --base-url, GONGKAI_BASE_URL or
// the listen address, in that order, and checks a given one.
func (c *Config) resolveBaseURL(getenv func(string) string) error {
	source := "--base-url"
	if c.Site.BaseURL == "" {
		c.Site.BaseURL, source = getenv("GONGKAI_BASE_URL"), "GONGKAI_BASE_URL"
	}
	if c.Site.BaseURL == "" {
		c.Site.BaseURL, c.baseURLFrom = BaseURLOf(c.Addr), "listen address"
		return nil
	}
	base, err := ParseBaseURL(c.Site.BaseURL)
	if err != nil {
		return fmt.Errorf("config: %s: %w", source, err)
	}
	c.Site.BaseURL, c.baseURLFrom = base, source
	return nil
}

// BaseURLFrom says where the base URL came from: "--base-url",
// "GONGKAI_BASE_URL" or "listen address" (after Resolve).
func (c Config) BaseURLFrom() string { return c.baseURLFrom }

// ParseBaseURL checks a configured base URL: an absolute http or https
// URL with a host, without user information, query or fragment. A
// trailing slash is trimmed.
func ParseBaseURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("base URL %q is not a URL: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("base URL %q must start with http:// or https:// (e.g. https://gk.linyi.gov.cn)", raw)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("base URL %q has no host (e.g. https://gk.linyi.gov.cn)", raw)
	case u.User != nil:
		return "", fmt.Errorf("base URL %q must not carry a user name or password", raw)
	case u.RawQuery != "" || u.ForceQuery:
		return "", fmt.Errorf("base URL %q must not have a query (?…)", raw)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "", fmt.Errorf("base URL %q must not have a fragment (#…)", raw)
	case u.Opaque != "":
		return "", fmt.Errorf("base URL %q must be scheme://host[:port][/path]", raw)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("base URL %q has a bad port %q", raw, port)
		}
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// BaseURLOf is the base URL used when none is configured: http:// and the
// listen address, with 127.0.0.1 for a wildcard or empty host, so that
// links point at the machine itself and never at whatever Host a client
// sent.
func BaseURLOf(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "127.0.0.1", "8080"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "8080"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// FilesDir is where the content-addressed file store lives: --files or
// GONGKAI_FILES when given, else DATA/files. Every command that opens the
// file store asks here, so serve, import and backup agree.
func (c Config) FilesDir() string {
	if c.Files != "" {
		return c.Files
	}
	return filepath.Join(c.DataDir, "files")
}

// IndexDir is where the search index lives.
func (c Config) IndexDir() string { return filepath.Join(c.DataDir, "index") }
