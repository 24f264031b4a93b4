package cli

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"gongkai/indexer"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

const backupAbout = `Writes the whole state into one archive FILE (a zip) while the server
keeps running: every table of the store, read in one snapshot of the
database (a read transaction on SQLite, a repeatable-read snapshot on
PostgreSQL), so the archive stands at one point of the change log; every
file of the file store (attachments, notices' documents), each checked
against its SHA-256 as it is copied; and the office's edited lists under
DATA/checks and DATA/search. The search index is not in it: it is rebuilt
on restore. The archive is written to a temporary name beside FILE and
renamed when complete, so a failed backup leaves no half archive.

The archive does not depend on the database: a backup of a SQLite store
restores into PostgreSQL and back. See docs/backup.md for its layout.`

const restoreAbout = `Brings the state of a backup FILE back into an empty store (SQLite or
PostgreSQL, whichever the backup came from), then rebuilds the search
index and re-checks the audit log's hash chain.

The store must be empty: a new --data directory or an empty PostgreSQL
database (a store only opened before, with nothing in it, is fine).
Anything else is refused, naming what is there: a restore never merges.
Every table is loaded in one transaction and every table and file is
checked against the archive's SHA-256 before it is committed: a damaged
archive writes nothing. A backup made by a newer gongkai (a newer schema)
is refused; an older one is loaded at its own schema and then migrated.

Stop the server that uses --data first: the index is rebuilt in DATA/index.`

// The archive's layout (docs/backup.md).
const (
	archiveFormat        = "gongkai-backup"
	archiveFormatVersion = 1
	manifestName         = "manifest.json"
	tablesDir            = "tables/"
	filesDir             = "files/"
	configDir            = "config/"
)

// configDirs are the folders under DATA whose files the office edits and
// a backup carries: the quality gate's lists and settings, and the search
// synonyms.
var configDirs = []string{"checks", "search"}

// maxConfigFile bounds one edited file in an archive.
const maxConfigFile = 64 << 20

// manifest is the archive's manifest.json, its last member, written when
// everything before it is known.
type manifest struct {
	Format        string           `json:"format"`
	FormatVersion int              `json:"format_version"`
	SchemaVersion int              `json:"schema_version"`
	CreatedAt     time.Time        `json:"created_at"`
	Dialect       string           `json:"dialect"`
	ChangeSeq     int64            `json:"change_seq"`
	AuditHead     manifestHead     `json:"audit_head"`
	Tables        []manifestTable  `json:"tables"`
	Sequences     map[string]int64 `json:"sequences"`
	Files         []manifestFile   `json:"files"`
	ConfigFiles   []manifestFile   `json:"config_files"`
}

type manifestHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

type manifestTable struct {
	store.TableSchema
	Path   string `json:"path"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// manifestFile is a file of the file store (Path files/<sha256>) or an
// edited file under DATA (Path config/<path under DATA>).
type manifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// fileArgs takes FILE, which may come before or after the flags, and
// refuses anything more.
func fileArgs(e *env, fs *flag.FlagSet, args []string, what string) (string, error) {
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := parse(e, fs, args); err != nil {
		return "", err
	}
	rest := fs.Args()
	if file == "" && len(rest) > 0 {
		file, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return "", fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	if file == "" {
		return "", fmt.Errorf("%w: %s needs a FILE", errUsage, what)
	}
	return file, nil
}

func runBackup(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "backup", "gongkai backup FILE [--quiet] [--data DIR | --db URL]", backupAbout)
	cfg.Bind(fs, false)
	quiet := fs.Bool("quiet", false, "print the summary only")
	file, err := fileArgs(e, fs, args, "backup")
	if err != nil {
		return err
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	start := time.Now()
	// A temporary name beside FILE, renamed when complete.
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	progress := func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(e.stdout, format+"\n", a...)
		}
	}
	sum, err := writeArchive(ctx, f, b, progress)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		return fmt.Errorf("backup: %w (no archive written)", err)
	}
	done = true
	size := int64(0)
	if st, err := os.Stat(file); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(e.stdout, "backup: %d tables, %d rows (%s of data), %d files (%s), %d edited files; archive %s, %s, in %.1fs\n",
		sum.tables, sum.rows, megabytes(sum.tableBytes), sum.files, megabytes(sum.fileBytes), sum.config, file, megabytes(size), time.Since(start).Seconds())
	fmt.Fprintf(e.stdout, "the archive stands at change %d of the change log; audit log head %s\n", sum.changeSeq, headText(sum.auditSeq, sum.auditHash))
	return nil
}

// headText prints an audit log's head as audit verify does.
func headText(seq int64, hash string) string {
	if seq == 0 {
		return "empty log"
	}
	return fmt.Sprintf("%d:%s", seq, hash)
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

type archiveSummary struct {
	tables, files, config int
	rows                  int64
	tableBytes, fileBytes int64
	changeSeq, auditSeq   int64
	auditHash             string
}

// writeArchive writes the archive to w: the tables read in one snapshot,
// then the file store's files (those present once the snapshot is taken:
// a file is written before any row that names it commits, and the store is
// append-only, so every file the snapshot names is there), then the
// edited files under DATA, then the manifest.
func writeArchive(ctx context.Context, w io.Writer, b *backend, progress func(string, ...any)) (archiveSummary, error) {
	var sum archiveSummary
	bw := bufio.NewWriterSize(w, 1<<20)
	zw := zip.NewWriter(bw)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
	now := time.Now().UTC().Truncate(time.Second)
	err := b.store.Snapshot(ctx, func(sn *store.Snapshot) error {
		info := sn.Info()
		m := manifest{Format: archiveFormat, FormatVersion: archiveFormatVersion, SchemaVersion: info.SchemaVersion, CreatedAt: now,
			Dialect: string(info.Dialect), ChangeSeq: info.ChangeSeq, AuditHead: manifestHead{info.AuditSeq, info.AuditHash},
			Sequences: info.Sequences, Files: []manifestFile{}, ConfigFiles: []manifestFile{}}
		progress("backup: %s (schema %d), snapshot at change %d", b.store.Redacted(), info.SchemaVersion, info.ChangeSeq)
		for _, t := range info.Tables {
			mt := manifestTable{TableSchema: t, Path: tablesDir + t.Name + ".jsonl"}
			zf, err := zw.CreateHeader(&zip.FileHeader{Name: mt.Path, Method: zip.Deflate, Modified: now})
			if err != nil {
				return err
			}
			h := sha256.New()
			cw := &countingWriter{}
			if mt.Rows, err = sn.DumpTable(ctx, t.Name, io.MultiWriter(zf, h, cw)); err != nil {
				return err
			}
			mt.Bytes, mt.SHA256 = cw.n, hex.EncodeToString(h.Sum(nil))
			m.Tables = append(m.Tables, mt)
			sum.rows += mt.Rows
			sum.tableBytes += mt.Bytes
			progress("  table %-28s %9d rows", t.Name, mt.Rows)
		}
		stored, err := listFileStore(b.files)
		if err != nil {
			return err
		}
		for _, sha := range stored {
			mf, err := archiveFile(zw, b.files, sha, now)
			if err != nil {
				return err
			}
			m.Files = append(m.Files, mf)
			sum.fileBytes += mf.Size
		}
		progress("  files: %d (%s)", len(m.Files), megabytes(sum.fileBytes))
		edited, err := listConfigFiles(b.cfg.DataDir)
		if err != nil {
			return err
		}
		for _, rel := range edited {
			mf, err := archiveConfigFile(zw, b.cfg.DataDir, rel, now)
			if err != nil {
				return err
			}
			m.ConfigFiles = append(m.ConfigFiles, mf)
		}
		zf, err := zw.CreateHeader(&zip.FileHeader{Name: manifestName, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		enc := json.NewEncoder(zf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			return err
		}
		sum.tables, sum.files, sum.config = len(m.Tables), len(m.Files), len(m.ConfigFiles)
		sum.changeSeq, sum.auditSeq, sum.auditHash = m.ChangeSeq, m.AuditHead.Seq, m.AuditHead.Hash
		return nil
	})
	if err != nil {
		return sum, err
	}
	if err := zw.Close(); err != nil {
		return sum, err
	}
	return sum, bw.Flush()
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var (
	shaRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	prefixRE = regexp.MustCompile(`^[0-9a-f]{2}$`)
)

// listFileStore lists the hashes of the files in the file store, sorted;
// temporary files of writes under way are not files yet.
func listFileStore(fst *files.Store) ([]string, error) {
	dirs, err := os.ReadDir(fst.Root())
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	var out []string
	for _, d := range dirs {
		if !d.IsDir() || !prefixRE.MatchString(d.Name()) {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(fst.Root(), d.Name()))
		if err != nil {
			return nil, fmt.Errorf("file store: %w", err)
		}
		for _, f := range entries {
			if f.Type().IsRegular() && shaRE.MatchString(f.Name()) && strings.HasPrefix(f.Name(), d.Name()) {
				out = append(out, f.Name())
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// archiveFile copies one file of the file store into the archive, checking
// that its bytes still have the hash it is named by.
func archiveFile(zw *zip.Writer, fst *files.Store, sha string, now time.Time) (manifestFile, error) {
	f, err := fst.Open(sha)
	if err != nil {
		return manifestFile{}, fmt.Errorf("file store: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return manifestFile{}, fmt.Errorf("file store: %w", err)
	}
	mf := manifestFile{Path: filesDir + sha, Size: st.Size(), SHA256: sha}
	hdr := &zip.FileHeader{Name: mf.Path, Method: zip.Store, Modified: now}
	hdr.UncompressedSize64 = uint64(st.Size())
	zf, err := zw.CreateHeader(hdr)
	if err != nil {
		return mf, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(zf, h), f)
	if err != nil {
		return mf, fmt.Errorf("file store: %s: %w", sha, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != mf.Size || got != sha {
		p, _ := fst.Path(sha)
		return mf, fmt.Errorf("file store: %s is damaged: its %d bytes have SHA-256 %s, not the %s it is named by", p, n, got, sha)
	}
	return mf, nil
}

// listConfigFiles lists the regular files under DATA's edited folders, as
// slash paths relative to DATA, sorted; hidden names are skipped.
func listConfigFiles(dataDir string) ([]string, error) {
	var out []string
	for _, dir := range configDirs {
		root := filepath.Join(dataDir, dir)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return filepath.SkipDir
			}
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != root {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				rel, err := filepath.Rel(dataDir, p)
				if err != nil {
					return err
				}
				out = append(out, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	slices.Sort(out)
	return out, nil
}

func archiveConfigFile(zw *zip.Writer, dataDir, rel string, now time.Time) (manifestFile, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, filepath.FromSlash(rel)))
	if err != nil {
		return manifestFile{}, fmt.Errorf("backup: %w", err)
	}
	if len(b) > maxConfigFile {
		return manifestFile{}, fmt.Errorf("backup: %s is over %d MB: not an edited list", rel, maxConfigFile>>20)
	}
	sum := sha256.Sum256(b)
	mf := manifestFile{Path: configDir + rel, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
	zf, err := zw.CreateHeader(&zip.FileHeader{Name: mf.Path, Method: zip.Deflate, Modified: now})
	if err != nil {
		return mf, err
	}
	_, err = zf.Write(b)
	return mf, err
}

// archive is an opened backup: its members by name and its manifest.
type archive struct {
	zr      *zip.ReadCloser
	members map[string]*zip.File
	m       manifest
}

// errDamaged marks an archive that does not match its manifest.
var errDamaged = errors.New("the archive is damaged or incomplete")

func openArchive(name string) (*archive, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, fmt.Errorf("restore: %s is not a gongkai backup: %w", name, err)
	}
	a := &archive{zr: zr, members: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		if _, dup := a.members[f.Name]; dup {
			zr.Close()
			return nil, fmt.Errorf("restore: %w: %s twice", errDamaged, f.Name)
		}
		a.members[f.Name] = f
	}
	if err := a.readManifest(); err != nil {
		zr.Close()
		return nil, err
	}
	return a, nil
}

func (a *archive) Close() error { return a.zr.Close() }

func (a *archive) readManifest() error {
	mf, ok := a.members[manifestName]
	if !ok {
		return fmt.Errorf("restore: not a gongkai backup: it has no %s", manifestName)
	}
	r, err := mf.Open()
	if err != nil {
		return fmt.Errorf("restore: %s: %w", manifestName, err)
	}
	defer r.Close()
	if err := json.NewDecoder(io.LimitReader(r, 1<<30)).Decode(&a.m); err != nil {
		return fmt.Errorf("restore: %w: %s: %v", errDamaged, manifestName, err)
	}
	m := a.m
	switch {
	case m.Format != archiveFormat:
		return fmt.Errorf("restore: not a gongkai backup (format %q)", m.Format)
	case m.FormatVersion > archiveFormatVersion:
		return fmt.Errorf("restore: the archive has format version %d, this gongkai reads up to %d: restore it with the newer gongkai that made it", m.FormatVersion, archiveFormatVersion)
	case m.FormatVersion < 1:
		return fmt.Errorf("restore: %w: format version %d", errDamaged, m.FormatVersion)
	case m.SchemaVersion > store.LatestSchemaVersion():
		return fmt.Errorf("restore: the backup is at schema version %d, this gongkai at %d: restore it with the newer gongkai that made it (%w)", m.SchemaVersion, store.LatestSchemaVersion(), store.ErrNewerSchema)
	}
	need := func(p string, size int64) error {
		f, ok := a.members[p]
		if !ok {
			return fmt.Errorf("restore: %w: %s is missing", errDamaged, p)
		}
		if f.UncompressedSize64 != uint64(size) {
			return fmt.Errorf("restore: %w: %s has %d bytes, the manifest says %d", errDamaged, p, f.UncompressedSize64, size)
		}
		return nil
	}
	for _, t := range m.Tables {
		if t.Path != tablesDir+t.Name+".jsonl" {
			return fmt.Errorf("restore: %w: table %q at %q", errDamaged, t.Name, t.Path)
		}
		if err := need(t.Path, t.Bytes); err != nil {
			return err
		}
	}
	for _, f := range m.Files {
		if !shaRE.MatchString(f.SHA256) || f.Path != filesDir+f.SHA256 {
			return fmt.Errorf("restore: %w: file %q", errDamaged, f.Path)
		}
		if err := need(f.Path, f.Size); err != nil {
			return err
		}
	}
	for _, f := range m.ConfigFiles {
		rel, ok := strings.CutPrefix(f.Path, configDir)
		if !ok || !validConfigPath(rel) || !shaRE.MatchString(f.SHA256) || f.Size > maxConfigFile {
			return fmt.Errorf("restore: %w: edited file %q", errDamaged, f.Path)
		}
		if err := need(f.Path, f.Size); err != nil {
			return err
		}
	}
	return nil
}

// validConfigPath accepts a clean relative path inside one of configDirs.
func validConfigPath(rel string) bool {
	if rel == "" || path.Clean(rel) != rel || path.IsAbs(rel) || strings.HasPrefix(rel, "../") || strings.Contains(rel, "\\") {
		return false
	}
	top, _, ok := strings.Cut(rel, "/")
	return ok && slices.Contains(configDirs, top)
}

// open returns a member's bytes, checked against the manifest's size and
// SHA-256 as they are read: a mismatch is the read's error at the end.
func (a *archive) open(p string, size int64, sum string) (io.ReadCloser, error) {
	f, ok := a.members[p]
	if !ok {
		return nil, fmt.Errorf("%w: %s is missing", errDamaged, p)
	}
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &checkedReader{r: r, h: sha256.New(), name: p, size: size, sum: sum}, nil
}

type checkedReader struct {
	r    io.ReadCloser
	h    hash.Hash
	n    int64
	name string
	size int64
	sum  string
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if errors.Is(err, io.EOF) {
		if got := hex.EncodeToString(c.h.Sum(nil)); c.n != c.size || got != c.sum {
			return n, fmt.Errorf("%w: %s has %d bytes with SHA-256 %s, the manifest says %d bytes with %s", errDamaged, c.name, c.n, got, c.size, c.sum)
		}
	} else if err != nil {
		err = fmt.Errorf("%w: %s: %v", errDamaged, c.name, err)
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.r.Close() }

// copyChecked copies a member to a new file at dst, checked; the file is
// removed when the check fails.
func (a *archive) copyChecked(mf manifestFile, dst string) error {
	r, err := a.open(mf.Path, mf.Size, mf.SHA256)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// fileHas tells whether the file at p exists with the given SHA-256.
func fileHas(p, sum string) (bool, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == sum, nil
}

func runRestore(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "restore", "gongkai restore FILE [--quiet] [--data DIR | --db URL]", restoreAbout)
	cfg.Bind(fs, false)
	quiet := fs.Bool("quiet", false, "print the summary only")
	file, err := fileArgs(e, fs, args, "restore")
	if err != nil {
		return err
	}
	if err := cfg.Resolve(e.getenv); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	progress := func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(e.stdout, format+"\n", a...)
		}
	}
	start := time.Now()
	a, err := openArchive(file)
	if err != nil {
		return err
	}
	defer a.Close()
	m := a.m
	progress("restore: a backup of %s (schema %d) from %s, at change %d", m.Dialect, m.SchemaVersion, m.CreatedAt.Local().Format(time.DateTime), m.ChangeSeq)

	st, err := store.OpenForRestore(ctx, cfg.DB, m.SchemaVersion)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	if err := st.CheckRestoreTarget(ctx); err != nil {
		return fmt.Errorf("restore into %s: %w\n(restore only into a new --data directory or an empty PostgreSQL database; nothing was written)", st.Redacted(), err)
	}
	fst, err := files.New(cfg.FilesDir())
	if err != nil {
		return err
	}
	b := &backend{cfg: cfg, store: st, files: fst}
	// The index must be free before anything is written. (Without the
	// synonyms file, which the index would write out when missing.)
	probe := searchOptions(b, e.log, nil)
	probe.SynonymsFile = ""
	ix, err := indexer.Open(ctx, probe)
	if errors.Is(err, indexer.ErrLocked) {
		return fmt.Errorf("restore: %v\n(stop the server that uses %s first; nothing was written)", err, cfg.DataDir)
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	ix.Close()

	// Files are copied and checked into a folder of their own inside the
	// file store, and moved into place just before the tables commit.
	staging, err := os.MkdirTemp(fst.Root(), ".restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(staging)
	type move struct {
		from, to string
		aside    bool // an edited file is there: keep it beside
	}
	var moves []move
	var fileBytes int64
	present := 0
	for _, mf := range m.Files {
		dst, err := fst.Path(mf.SHA256)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if ok, err := fileHas(dst, mf.SHA256); err != nil {
			return fmt.Errorf("restore: %w", err)
		} else if ok {
			present++
			continue
		}
		tmp := filepath.Join(staging, mf.SHA256)
		if err := a.copyChecked(mf, tmp); err != nil {
			return fmt.Errorf("restore: %w (nothing was written)", err)
		}
		moves = append(moves, move{tmp, dst, false})
		fileBytes += mf.Size
	}
	for _, mf := range m.ConfigFiles {
		rel := strings.TrimPrefix(mf.Path, configDir)
		dst := filepath.Join(cfg.DataDir, filepath.FromSlash(rel))
		if ok, err := fileHas(dst, mf.SHA256); err != nil {
			return fmt.Errorf("restore: %w", err)
		} else if ok {
			continue
		}
		_, statErr := os.Stat(dst)
		tmp := filepath.Join(staging, "config", filepath.FromSlash(rel))
		if err := a.copyChecked(mf, tmp); err != nil {
			return fmt.Errorf("restore: %w (nothing was written)", err)
		}
		moves = append(moves, move{tmp, dst, statErr == nil})
	}
	progress("  files: %d checked (%s), %d already in the file store", len(m.Files)-present, megabytes(fileBytes), present)

	plan := store.RestorePlan{SchemaVersion: m.SchemaVersion, ChangeSeq: m.ChangeSeq, AuditSeq: m.AuditHead.Seq, AuditHash: m.AuditHead.Hash, Sequences: m.Sequences}
	byName := make(map[string]manifestTable, len(m.Tables))
	var rows int64
	for _, t := range m.Tables {
		plan.Tables = append(plan.Tables, store.RestoreTable{TableSchema: t.TableSchema, Rows: t.Rows})
		byName[t.Name] = t
		rows += t.Rows
	}
	var setAside []string
	err = st.Restore(ctx, store.RestoreInput{
		Plan: plan,
		Open: func(table string) (io.ReadCloser, error) {
			t, ok := byName[table]
			if !ok {
				return nil, fmt.Errorf("%w: no data for table %s", errDamaged, table)
			}
			return a.open(t.Path, t.Bytes, t.SHA256)
		},
		Loaded: func(table string, n int64) { progress("  table %-28s %9d rows", table, n) },
		BeforeCommit: func(context.Context) error {
			for _, mv := range moves {
				if err := os.MkdirAll(filepath.Dir(mv.to), 0o755); err != nil {
					return err
				}
				if mv.aside {
					kept := mv.to + ".before-restore"
					if _, err := os.Stat(kept); err == nil {
						kept += "." + time.Now().Format("20060102150405")
					}
					if err := os.Rename(mv.to, kept); err != nil {
						return err
					}
					setAside = append(setAside, kept)
				}
				if err := os.Rename(mv.from, mv.to); err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("restore: %w\n(nothing was written to the store)", err)
	}
	st.Close()
	st = nil
	for _, p := range setAside {
		fmt.Fprintf(e.stdout, "  the backup's edited file replaced the one there, kept as %s\n", p)
	}
	fmt.Fprintf(e.stdout, "restored: %d tables, %d rows, %d files (%s), %d edited files, at change %d, in %.1fs\n",
		len(m.Tables), rows, len(m.Files), megabytes(fileBytes), len(m.ConfigFiles), m.ChangeSeq, time.Since(start).Seconds())

	// Opened as every command opens it: a backup of an older schema is
	// migrated on here.
	b, err = openBackend(ctx, e, cfg)
	if err != nil {
		return fmt.Errorf("restore: the store is restored but does not open: %w", err)
	}
	defer b.Close()
	res, err := b.store.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("restore: the store is restored; checking the audit log: %w", err)
	}
	if !res.OK() {
		fmt.Fprintf(e.stdout, "审计日志已被改动：%s\n", res.Broken.Reason)
		return exitError{1}
	}
	fmt.Fprintf(e.stdout, "审计日志完整：%d 条记录，哈希链无断裂 (audit log intact: %d records); head %s\n", res.Count, res.Count, headText(res.HeadSeq, res.HeadHash))
	ix, err = indexer.Open(ctx, searchOptions(b, e.log, nil))
	if err != nil {
		return fmt.Errorf("restore: the store is restored; the search index: %w (run gongkai index rebuild)", err)
	}
	defer ix.Close()
	if err := rebuildIndex(ctx, e, ix, *quiet); err != nil {
		return fmt.Errorf("restore: the store is restored; %w (run gongkai index rebuild)", err)
	}
	return nil
}
