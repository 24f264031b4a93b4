package ingest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Size bounds of the files an import line names. They match what the back
// office accepts for the same files, so an import cannot bring in what an
// upload could not.
const (
	// MaxAttachment is the largest attachment copied into the file store:
	// the console's bound (workflow.DefaultMaxAttachment).
	MaxAttachment = 50 << 20
	// MaxDatasetCSV is the largest dataset CSV read: the bound of a
	// dataset publish from the console.
	MaxDatasetCSV = 512 << 20
)

// folder is the folder of an import file. Every file a line names is
// opened through it and must lie inside it: the name is relative, no ".."
// climbs out, and no symbolic link on the way leads out. os.Root checks
// each component as it opens it, so a link swapped in after a check cannot
// lead elsewhere either.
type folder struct {
	dir  string // absolute, as given
	root *os.Root
}

func openFolder(dir string) (*folder, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("ingest: open the folder of the import file: %w", err)
	}
	return &folder{dir: abs, root: root}, nil
}

func (d *folder) Close() error { return d.root.Close() }

// pathError is a path a line names that cannot be used; its text is the
// reason, in Chinese and English.
type pathError struct{ msg string }

func (e *pathError) Error() string { return e.msg }

func pathErrorf(format string, args ...any) error {
	return &pathError{fmt.Sprintf(format, args...)}
}

// open opens the regular file that name (slash-separated, relative to the
// folder) names, and returns it with its size.
func (d *folder) open(name string) (*os.File, int64, error) {
	if strings.TrimSpace(name) == "" {
		return nil, 0, pathErrorf("路径为空 (empty path)")
	}
	if strings.ContainsRune(name, 0) {
		return nil, 0, pathErrorf("路径 %q 含有空字符 (NUL in the path)", name)
	}
	local := filepath.FromSlash(name)
	if filepath.IsAbs(local) || filepath.VolumeName(local) != "" || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) {
		return nil, 0, pathErrorf("路径 %q 是绝对路径，应写相对于导入文件所在文件夹的路径 (absolute path; paths are relative to the folder of the import file)", name)
	}
	if !filepath.IsLocal(local) {
		return nil, 0, pathErrorf("路径 %q 经 .. 离开了导入文件所在的文件夹 (the path leaves the folder of the import file through ..)", name)
	}
	local = filepath.Clean(local)
	f, err := d.openLocal(name, local)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, pathErrorf("文件 %q 无法读取 (cannot stat: %v)", name, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, pathErrorf("%q 不是普通文件 (not a regular file: %s)", name, fileKind(st.Mode()))
	}
	return f, st.Size(), nil
}

// openLocal opens a lexically local path through the root. The root
// refuses a symbolic link that leads out, and also an absolute link even
// when it points back inside: such a link is resolved here, and its
// target, if inside, is opened through the root in turn.
func (d *folder) openLocal(name, local string) (*os.File, error) {
	f, err := d.root.OpenFile(local, os.O_RDONLY|openNoBlock, 0)
	if err == nil {
		return f, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, pathErrorf("文件 %q 不存在 (cannot open: no such file)", name)
	}
	realDir, derr := filepath.EvalSymlinks(d.dir)
	target, terr := filepath.EvalSymlinks(filepath.Join(d.dir, local))
	if derr != nil || terr != nil {
		return nil, pathErrorf("文件 %q 无法打开 (cannot open: %v)", name, unwrapPath(err))
	}
	rel, rerr := filepath.Rel(realDir, target)
	if rerr != nil || !filepath.IsLocal(rel) {
		return nil, pathErrorf("%q 经符号链接指向导入文件所在文件夹之外 (a symbolic link leads out of the folder of the import file)", name)
	}
	f, err = d.root.OpenFile(rel, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, pathErrorf("文件 %q 无法打开 (cannot open: %v)", name, unwrapPath(err))
	}
	return f, nil
}

// unwrapPath drops the path from an os error: the reason names the file
// as the line wrote it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

// errTooBig is returned by a boundedReader past its bound.
type errTooBig struct {
	name  string
	limit int64
}

func (e *errTooBig) Error() string {
	return fmt.Sprintf("文件 %q 超过 %s (larger than %s)", e.name, sizeLabel(e.limit), sizeLabel(e.limit))
}

func sizeLabel(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// boundedReader reads at most limit bytes and fails once the source holds
// more, so that a file that grows after it was checked cannot fill the
// disk or the database.
type boundedReader struct {
	r    io.Reader
	left int64
	err  error
}

func newBoundedReader(r io.Reader, name string, limit int64) *boundedReader {
	return &boundedReader{r: r, left: limit, err: &errTooBig{name: name, limit: limit}}
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = -1
		return n, b.err
	}
	b.left -= int64(n)
	return n, err
}
