package indexer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
)

// A generation keeps its documents in one Bleve index or in several, its
// shards, each entry in the shard a hash of its id names. Shards are
// built side by side, each with its own segment building, merging and
// persisting, and searched together: to the engine a sharded generation
// is one list of segments. A generation of one shard is laid out as every
// generation was before shards (the generation directory is the Bleve
// index); one of n shards holds shard-0 … shard-(n-1).
type shards []bleve.Index

const shardDirPrefix = "shard-"

// maxShards bounds Options.Shards.
const maxShards = 64

// shardOf is the shard of an entry id among n (FNV-1a of the id).
func shardOf(id string, n int) int {
	if n <= 1 {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// createShards makes the n empty shards of a new generation at dir.
func createShards(dir string, n int, im *mapping.IndexMappingImpl, cfg map[string]any) (shards, error) {
	if n <= 1 {
		bi, err := bleve.NewUsing(dir, im, scorch.Name, scorch.Name, cfg)
		if err != nil {
			return nil, err
		}
		return shards{bi}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := make(shards, 0, n)
	for i := range n {
		bi, err := bleve.NewUsing(filepath.Join(dir, shardDirPrefix+strconv.Itoa(i)), im, scorch.Name, scorch.Name, cfg)
		if err != nil {
			s.close()
			return nil, err
		}
		s = append(s, bi)
	}
	return s, nil
}

// openShards opens the shards of the generation at dir.
func openShards(dir string, cfg map[string]any) (shards, error) {
	// A Bleve index directory holds index_meta.json.
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err == nil {
		bi, err := bleve.OpenUsing(dir, cfg)
		if err != nil {
			return nil, err
		}
		return shards{bi}, nil
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, de := range des {
		if de.IsDir() && strings.HasPrefix(de.Name(), shardDirPrefix) {
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("no index in %s", dir)
	}
	s := make(shards, 0, n)
	for i := range n {
		bi, err := bleve.OpenUsing(filepath.Join(dir, shardDirPrefix+strconv.Itoa(i)), cfg)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("shard %d of %d: %w", i, n, err)
		}
		s = append(s, bi)
	}
	return s, nil
}

func (s shards) close() error {
	var err error
	for _, bi := range s {
		err = errors.Join(err, bi.Close())
	}
	return err
}

// docCount is the number of documents in all shards.
func (s shards) docCount() uint64 {
	var n uint64
	for _, bi := range s {
		c, _ := bi.DocCount()
		n += c
	}
	return n
}

// mapping is the mapping version the shards were built with, "" unless
// every shard says the same.
func (s shards) mapping() string {
	var v string
	for i, bi := range s {
		b, _ := bi.GetInternal(keyMapping)
		if i > 0 && string(b) != v {
			return ""
		}
		v = string(b)
	}
	return v
}

// checkpoint is the last change every shard has applied: the lowest of
// their checkpoints, since a crash between the shards' writes of one
// batch leaves some ahead (replaying a change is harmless).
func (s shards) checkpoint() int64 {
	var cp int64
	for i, bi := range s {
		v, _ := bi.GetInternal(keyCheckpoint)
		c := int64(0)
		if len(v) == 8 {
			c = int64(binary.BigEndian.Uint64(v))
		}
		if i == 0 || c < cp {
			cp = c
		}
	}
	return cp
}

// batch is one write to every shard: documents and deletions go to their
// entry's shard, internal values to all.
type batch struct {
	s shards
	b []*bleve.Batch
}

func (s shards) newBatch() *batch {
	b := &batch{s: s, b: make([]*bleve.Batch, len(s))}
	for i, bi := range s {
		b.b[i] = bi.NewBatch()
	}
	return b
}

func (b *batch) Index(id string, doc any) error { return b.b[shardOf(id, len(b.b))].Index(id, doc) }
func (b *batch) Delete(id string)               { b.b[shardOf(id, len(b.b))].Delete(id) }

func (b *batch) SetInternal(key, val []byte) {
	for _, x := range b.b {
		x.SetInternal(key, val)
	}
}

// Size is the number of operations in the batch, over all shards.
func (b *batch) Size() int {
	n := 0
	for _, x := range b.b {
		n += x.Size()
	}
	return n
}

func (b *batch) Reset() {
	for _, x := range b.b {
		x.Reset()
	}
}

// write applies the batch to every shard that has something in it, the
// shards side by side.
func (b *batch) write() error {
	errs := make([]error, len(b.b))
	var wg sync.WaitGroup
	for i, x := range b.b {
		if x.Size() == 0 {
			continue
		}
		wg.Go(func() {
			if err := b.s[i].Batch(x); err != nil {
				errs[i] = fmt.Errorf("shard %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// snapshot is a consistent read of every shard, taken one after another:
// each shard's part is a snapshot of it, and a write to several shards
// may be seen in some and not yet in others, which a search tolerates.
type snapshot struct {
	parts []*scorch.IndexSnapshot
}

func (s shards) snapshot() (*snapshot, error) {
	out := &snapshot{parts: make([]*scorch.IndexSnapshot, 0, len(s))}
	for _, bi := range s {
		adv, err := bi.Advanced()
		if err != nil {
			out.Close()
			return nil, fmt.Errorf("indexer: %w", err)
		}
		r, err := adv.Reader()
		if err != nil {
			out.Close()
			return nil, fmt.Errorf("indexer: %w", err)
		}
		snap, ok := r.(*scorch.IndexSnapshot)
		if !ok {
			r.Close()
			out.Close()
			return nil, fmt.Errorf("indexer: index reader %T is not a scorch snapshot", r)
		}
		out.parts = append(out.parts, snap)
	}
	return out, nil
}

// Close releases every shard's snapshot.
func (s *snapshot) Close() error {
	var err error
	for _, p := range s.parts {
		err = errors.Join(err, p.Close())
	}
	s.parts = nil
	return err
}

// prefixTerms lists up to limit terms of a field beginning with prefix,
// in order, over all shards.
func (s *snapshot) prefixTerms(ctx context.Context, field, prefix string, limit int) ([]string, error) {
	var all []string
	for _, p := range s.parts {
		terms, err := partPrefixTerms(ctx, p, field, prefix, limit)
		if err != nil {
			return nil, err
		}
		all = append(all, terms...)
	}
	return firstTerms(all, len(s.parts), limit), nil
}

func partPrefixTerms(ctx context.Context, snap *scorch.IndexSnapshot, field, prefix string, limit int) ([]string, error) {
	d, err := snap.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil, fmt.Errorf("indexer: prefix %q: %w", prefix, err)
	}
	defer d.Close()
	var out []string
	for len(out) < limit {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		de, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("indexer: prefix %q: %w", prefix, err)
		}
		if de == nil {
			break
		}
		out = append(out, de.Term)
	}
	return out, nil
}

// fuzzyTerms lists up to limit terms of a field within fuzz edits of
// term, other than term itself, in order, over all shards.
func (s *snapshot) fuzzyTerms(field, term string, fuzz, limit int) []string {
	var all []string
	for _, p := range s.parts {
		d, err := bindex.IndexReaderFuzzy(p).FieldDictFuzzy(field, term, fuzz, "")
		if err != nil {
			continue
		}
		for k := 0; k < limit; k++ {
			e, err := d.Next()
			if err != nil || e == nil {
				break
			}
			if e.Term != term {
				all = append(all, e.Term)
			}
		}
		d.Close()
	}
	return firstTerms(all, len(s.parts), limit)
}

// firstTerms joins the sorted term lists of n shards (concatenated in
// all) into the first limit distinct terms in order: what one dictionary
// of them all would list first.
func firstTerms(all []string, n, limit int) []string {
	if n > 1 {
		slices.Sort(all)
		all = slices.Compact(all)
	}
	if len(all) > limit {
		all = all[:limit]
	}
	return all
}
