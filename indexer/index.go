package indexer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/prometheus/client_golang/prometheus"

	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
)

// ErrLocked is returned by Open when another process holds the index.
var ErrLocked = errors.New("indexer: the search index is in use by another process (a running `gongkai serve`?)")

// ErrNotReady is returned by searches before the first index is built.
var ErrNotReady = errors.New("indexer: the search index is being built")

// Options configure an Index.
type Options struct {
	Dir          string       // the index directory (config.IndexDir())
	Store        *store.Store // the source of truth
	Files        *files.Store // attachments; nil indexes no attachment text
	SynonymsFile string       // editable synonym list; "" uses the built-in list only
	Log          *slog.Logger
	Metrics      *metrics.Search // nil: metrics go to a private registry

	PollInterval  time.Duration // how often the follower looks for changes (default 1s)
	BatchSize     int           // changes applied per index batch (default 500)
	SearchTimeout time.Duration // time budget of one search (default 2s)
	CacheSize     int           // answers kept until the index changes (default 512; negative: none)
	Shards        int           // shards a rebuild makes (default 1, at most 64); a generation keeps what it was built with
}

func (o *Options) defaults() {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Metrics == nil {
		o.Metrics = metrics.NewSearch(prometheus.NewRegistry())
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.SearchTimeout <= 0 {
		o.SearchTimeout = 2 * time.Second
	}
	if o.CacheSize == 0 {
		o.CacheSize = defaultCacheSize
	}
	o.Shards = min(max(o.Shards, 1), maxShards)
}

// Index is the search index of one process: its directory, the live
// generation that answers searches, and what builds and follows it.
type Index struct {
	opt      Options
	an       *analysis
	mapping  *mapping.IndexMappingImpl
	version  string
	extract  *extractor
	labels   *labels
	synonyms *synonymSource
	popular  *popular
	cache    *resultCache
	lock     *os.File

	writeMu sync.Mutex   // one writer: the follower or a rebuild
	mu      sync.RWMutex // guards live: searches hold it for reading
	live    *generation

	needRebuild atomic.Bool
	caughtUp    atomic.Bool
}

// generation is one built index directory (DIR/gen-…), its documents in
// one shard or several. A rebuild makes a new generation beside the live
// one and swaps it in, so searches never go dark; the name of the live one
// is kept in DIR/CURRENT.
type generation struct {
	name       string
	shards     shards
	checkpoint atomic.Int64
	segs       segCaches // what searching keeps of each segment
}

const currentFile = "CURRENT"

// Open takes the index directory for this process and opens the live
// generation. When there is none, or it was built with another mapping,
// the index needs a rebuild (Run does it; the old generation answers
// meanwhile). Open fails with ErrLocked while another process holds the
// directory.
func Open(ctx context.Context, opt Options) (*Index, error) {
	opt.defaults()
	if opt.Dir == "" || opt.Store == nil {
		return nil, errors.New("indexer: Options need Dir and Store")
	}
	an, err := sharedAnalysis()
	if err != nil {
		return nil, err
	}
	im, err := newMapping()
	if err != nil {
		return nil, err
	}
	version, err := mappingVersion(im)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	lock, err := lockDir(opt.Dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{opt: opt, an: an, mapping: im, version: version,
		extract: newExtractor(opt.Files, opt.Log, opt.Metrics), labels: &labels{}, lock: lock}
	ix.popular = newPopular(opt.Store, opt.Log)
	ix.cache = newResultCache(opt.CacheSize)
	if ix.synonyms, err = newSynonymSource(an, opt.SynonymsFile); err != nil {
		unlockDir(lock)
		return nil, err
	}
	if err := ix.labels.load(ctx, opt.Store); err != nil {
		unlockDir(lock)
		return nil, err
	}
	ix.openLive()
	ix.removeStale()
	return ix, nil
}

// openLive opens the generation CURRENT names, if it is usable.
func (ix *Index) openLive() {
	b, err := os.ReadFile(filepath.Join(ix.opt.Dir, currentFile))
	name := strings.TrimSpace(string(b))
	if err != nil || name == "" || strings.ContainsAny(name, `/\`) {
		ix.needRebuild.Store(true)
		return
	}
	s, err := openShards(filepath.Join(ix.opt.Dir, name), bleveConfig())
	if err != nil {
		ix.opt.Log.Warn("search index unusable, rebuilding", slog.String("generation", name), slog.Any("err", err))
		ix.needRebuild.Store(true)
		return
	}
	g := &generation{name: name, shards: s}
	if v := s.mapping(); v != ix.version {
		ix.opt.Log.Info("search index built with another mapping, rebuilding", slog.String("have", v), slog.String("want", ix.version))
		ix.needRebuild.Store(true)
	}
	g.checkpoint.Store(s.checkpoint())
	ix.live = g
	ix.opt.Metrics.Checkpoint.Set(float64(g.checkpoint.Load()))
}

// removeStale deletes generations left behind by interrupted rebuilds.
func (ix *Index) removeStale() {
	entries, err := os.ReadDir(ix.opt.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "gen-") || (ix.live != nil && e.Name() == ix.live.name) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(ix.opt.Dir, e.Name())); err == nil {
			ix.opt.Log.Info("removed stale index generation", slog.String("generation", e.Name()))
		}
	}
}

// bleveConfig is the runtime configuration of every generation: fail
// instead of waiting forever when another process holds the files, and
// every batch on disk before it returns (a generation is built without
// that wait, and Bleve would remember the build's setting).
func bleveConfig() map[string]any {
	return map[string]any{"bolt_timeout": "2s", "unsafe_batch": false}
}

// NeedsRebuild reports whether the index has to be rebuilt before it
// answers with the current mapping.
func (ix *Index) NeedsRebuild() bool { return ix.needRebuild.Load() }

// Ready is nil once the index has caught up with the store at least once
// since it was opened; until then the service is not ready.
func (ix *Index) Ready() error {
	if ix.caughtUp.Load() {
		return nil
	}
	return errors.New("搜索索引正在更新 (search index is catching up)")
}

// Status describes the index for the command line and logs.
type Status struct {
	Generation     string
	MappingVersion string
	Checkpoint     int64
	Documents      uint64
	Shards         int
	NeedsRebuild   bool
}

// Status reports what the live generation holds.
func (ix *Index) Status() Status {
	st := Status{MappingVersion: ix.version, NeedsRebuild: ix.needRebuild.Load()}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if g := ix.live; g != nil {
		st.Generation = g.name
		st.Checkpoint = g.checkpoint.Load()
		st.Documents = g.shards.docCount()
		st.Shards = len(g.shards)
	}
	return st
}

// Version names what the live index holds: its generation and the last
// change it applied. A search answer made at one version stays right
// until the version moves, so a cache keyed by it never shows a change
// later than this index does. It is "" while there is no live generation.
func (ix *Index) Version() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == nil {
		return ""
	}
	return ix.live.name + "@" + strconv.FormatInt(ix.live.checkpoint.Load(), 10)
}

// acquire returns the live generation for reading; release must follow.
func (ix *Index) acquire() (*generation, error) {
	ix.mu.RLock()
	if ix.live == nil {
		ix.mu.RUnlock()
		return nil, ErrNotReady
	}
	return ix.live, nil
}

func (ix *Index) release() { ix.mu.RUnlock() }

// swap makes g the live generation and retires the old one.
func (ix *Index) swap(g *generation) error {
	tmp := filepath.Join(ix.opt.Dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(g.name+"\n"), 0o644); err != nil {
		return fmt.Errorf("indexer: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(ix.opt.Dir, currentFile)); err != nil {
		return fmt.Errorf("indexer: %w", err)
	}
	ix.mu.Lock()
	old := ix.live
	ix.live = g
	ix.mu.Unlock()
	if old != nil {
		if err := old.shards.close(); err != nil {
			ix.opt.Log.Warn("close old index generation", slog.Any("err", err))
		}
		_ = os.RemoveAll(filepath.Join(ix.opt.Dir, old.name))
	}
	return nil
}

// Close flushes the popular-query counts, closes the live generation and
// gives up the directory.
func (ix *Index) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := ix.popular.flush(ctx)
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.Lock()
	if ix.live != nil {
		err = errors.Join(err, ix.live.shards.close())
		ix.live = nil
	}
	ix.mu.Unlock()
	return errors.Join(err, unlockDir(ix.lock))
}

func encodeSeq(seq int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(seq))
	return b
}
