package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"gongkai/indexer"
	"gongkai/internal/checks"
	"gongkai/internal/config"
	"gongkai/internal/metrics"
	"gongkai/portal"
)

const serveAbout = `Runs the public portal, the JSON API and /metrics, /healthz, /readyz on
one address (/metrics on --metrics-addr alone when given), over the
embedded store under --data (SQLite file and file store) or the
PostgreSQL database of --db; --files puts the file store
elsewhere, e.g. one directory shared by several replicas. With --demo, an
empty store is first filled with the demo data set and given one console
account per role, whose one-time passwords are printed. SIGINT or SIGTERM
stop it gracefully.`

func runServe(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "serve", "gongkai serve [--addr 127.0.0.1:8080] [--metrics-addr ADDR] [--data ./data] [--db URL] [--files DIR] [--index-shards N] [--demo]", serveAbout)
	cfg.Bind(fs, true)
	cfg.BindIndex(fs)
	var limits config.Limits
	limitFlags := limits.Bind(fs)
	withDemo := fs.Bool("demo", false, "load the demo data set when the store has no units yet")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := limitFlags.Resolve(e.getenv); err != nil {
		return err
	}
	// Log lines go out in batches (every 100 ms, a warning at once): one
	// write per request line would cost more than a cached page.
	logOut := newLogBuffer(e.stderr, 100*time.Millisecond)
	defer logOut.Close()
	log := slog.New(flushOnWarn{slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}), logOut})
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	cfg = b.cfg
	log.Info("store open", slog.String("db", b.store.Redacted()), slog.String("data", cfg.DataDir), slog.String("files", cfg.FilesDir()))
	log.Info("absolute links use the base URL", slog.String("base_url", cfg.Site.BaseURL), slog.String("from", cfg.BaseURLFrom()))

	if *withDemo {
		units, err := b.store.Units(ctx)
		if err != nil {
			return err
		}
		if len(units) == 0 {
			log.Info("empty store: loading the demo data set")
			if err := seedDemo(ctx, e, b, demoDefaults()); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
			if err := seedDemoAccounts(ctx, e, b); err != nil {
				return err
			}
		}
	}

	m := metrics.New()
	m.RegisterDBStats(b.store.Stats)

	// The indexer follows the store inside this process (Bleve allows one
	// writer per index); the service is ready once it has caught up.
	// It reads the change log every 250 ms, so that a publish through any
	// replica is searchable on every replica well within a second.
	opts := searchOptions(b, log, metrics.NewSearch(m.Registry))
	opts.PollInterval = 250 * time.Millisecond
	ix, err := indexer.Open(ctx, opts)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	indexCtx, stopIndex := context.WithCancel(context.WithoutCancel(ctx))
	indexDone := make(chan struct{})
	go func() {
		defer close(indexDone)
		_ = ix.Run(indexCtx)
	}()
	defer func() {
		stopIndex()
		<-indexDone
		if err := ix.Close(); err != nil {
			log.Warn("close search index", slog.Any("err", err))
		}
	}()

	fit := checks.NewLiveRule("column_fit")
	gate, err := loadGate(cfg, fit)
	if err != nil {
		return err
	}
	// The column-fit model learns from the published entries in the
	// background, at start and once a day.
	keeper := newFitKeeper(b.store, fit, ix.Ready, 24*time.Hour, log)
	go keeper.Run(indexCtx)
	links := checks.NewLinkChecker(checks.LinkOptions{})
	defer links.Close()
	// Supervision: its metrics refreshed at start and every 10 minutes, and
	// the daily run at 01:00 China time, made by one replica at a time.
	sv, stopSupervision := startSupervision(ctx, b, m, log)
	defer stopSupervision()
	srv := portal.New(portal.Deps{Store: b.store, Files: b.files, Metrics: m, Log: log, Site: cfg.Site, SecureCookies: secureCookies(e, cfg.Addr), Gate: gate, Links: links, ColumnFit: keeper,
		Index: ix, Ready: ix.Ready, Supervise: sv, Limits: limits, MetricsApart: cfg.MetricsAddr != ""})
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(e, log, cfg.MetricsAddr, srv.MetricsHandler())
		if err != nil {
			return err
		}
		defer stopMetrics()
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		// Long downloads extend their own deadline per chunk.
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(e.stdout, "gongkai serving on http://%s/\n", ln.Addr())
	log.Info("listening", slog.String("addr", ln.Addr().String()))

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// secureCookies decides whether the console's cookies are marked Secure:
// always, unless the service listens on a loopback address only (make run,
// a developer's machine). GONGKAI_SECURE_COOKIES=true|false overrides it,
// e.g. behind a local proxy that terminates TLS.
func secureCookies(e *env, addr string) bool {
	switch strings.ToLower(e.getenv("GONGKAI_SECURE_COOKIES")) {
	case "1", "true", "yes":
		return true
	case "0", "false", "no":
		return false
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// loadGate builds the quality gate with the office's edited lists from
// DATA/checks (typos.txt, names.txt, expressions.txt), where present.
func loadGate(cfg config.Config, meta ...checks.MetaRule) (*checks.Gate, error) {
	set, err := checks.LoadSettings(filepath.Join(cfg.DataDir, "checks"))
	if err != nil {
		return nil, fmt.Errorf("quality gate lists: %w", err)
	}
	set.Meta = append(set.Meta, meta...)
	return checks.Default(set), nil
}
