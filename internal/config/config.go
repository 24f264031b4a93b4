// Package config builds the typed configuration of one command from its
// flags and the GONGKAI_* environment. A flag wins over the environment,
// which wins over the default. The Config is passed explicitly; nothing
// here is global.
package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is what a command needs to find its data and serve it.
type Config struct {
	Addr    string // listen address of `serve`
	DataDir string // data directory: SQLite file, file store, search index
	DB      string // database URL: sqlite:PATH or postgres://…; empty means the SQLite file under DataDir
	Site    Site   // what every public page's footer says
}

// Site is the footer a government site must carry.
type Site struct {
	Name     string // site name
	Host     string // 主办单位
	Contact  string // 联系方式
	SiteCode string // 网站标识码
	ICP      string // ICP 备案号
	PSB      string // 公安备案号
}

// Defaults.
const (
	DefaultAddr = "127.0.0.1:8080"
	DefaultData = "./data"
)

// Bind registers the storage flags (--data, --db) and, with serve, --addr.
// Call Resolve after parsing.
func (c *Config) Bind(fs *flag.FlagSet, serve bool) {
	if serve {
		fs.StringVar(&c.Addr, "addr", "", "listen address (env GONGKAI_ADDR, default "+DefaultAddr+")")
	}
	fs.StringVar(&c.DataDir, "data", "", "data directory (env GONGKAI_DATA, default "+DefaultData+")")
	fs.StringVar(&c.DB, "db", "", "database URL: sqlite:PATH or postgres://… (env GONGKAI_DB; default the SQLite file under --data)")
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
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("config: --db must be sqlite:PATH or postgres://… (got %q)", c.DB)
	}
	pick(&c.Site.Name, "GONGKAI_SITE_NAME", "临沂市人民政府 政府信息公开")
	pick(&c.Site.Host, "GONGKAI_SITE_HOST", "临沂市人民政府办公室")
	pick(&c.Site.Contact, "GONGKAI_SITE_CONTACT", "0539-8311000")
	pick(&c.Site.SiteCode, "GONGKAI_SITE_CODE", "3713000001")
	pick(&c.Site.ICP, "GONGKAI_SITE_ICP", "鲁ICP备05008877号")
	pick(&c.Site.PSB, "GONGKAI_SITE_PSB", "鲁公网安备 37130202000001号")
	return nil
}

// FilesDir is where the content-addressed file store lives.
func (c Config) FilesDir() string { return filepath.Join(c.DataDir, "files") }

// IndexDir is where the search index lives.
func (c Config) IndexDir() string { return filepath.Join(c.DataDir, "index") }
