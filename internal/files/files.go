// Package files is the content-addressed file store for attachments and
// generated documents: each file lives under its SHA-256, written to a
// temporary name and renamed into place, so a reader never sees half a file
// and the same bytes are kept once.
package files

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// Store keeps files under a root directory.
type Store struct{ root string }

// New returns a store rooted at dir, creating it if needed.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return &Store{root: dir}, nil
}

// Root is the store's directory.
func (s *Store) Root() string { return s.root }

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Path returns where the file with the given hash lives.
func (s *Store) Path(sum string) (string, error) {
	if !hashRE.MatchString(sum) {
		return "", fmt.Errorf("files: bad hash %q", sum)
	}
	return filepath.Join(s.root, sum[:2], sum), nil
}

// Put stores r's bytes and returns their hash and size. Bytes already
// stored are not written again.
//
// Several processes may share one store (replicas on one host, or on a
// shared filesystem such as NFS) and put the same bytes at once. The
// bytes go to a temporary file in the store's own directory, so that the
// final step stays on one filesystem, and are then linked under their
// hash, which never replaces a file already there: a reader of that file
// (on this host or another) keeps reading a whole, unchanged file. Where
// hard links are not supported the temporary file is renamed instead,
// which is atomic too.
func (s *Store) Put(r io.Reader) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(s.root, ".put-*")
	if err != nil {
		return "", 0, fmt.Errorf("files: %w", err)
	}
	name := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		os.Remove(name) // gone already when renamed
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, fmt.Errorf("files: write: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst, _ := s.Path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, size, nil
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("files: sync: %w", err)
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return "", 0, fmt.Errorf("files: close: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", 0, fmt.Errorf("files: %w", err)
	}
	if err := publish(name, dst); err != nil {
		return "", 0, err
	}
	// The name must outlive a crash as the bytes do: the store's record
	// of the file is committed right after Put returns.
	syncDir(filepath.Dir(dst))
	return sum, size, nil
}

// publish gives the finished temporary file its final name without ever
// replacing a file of that name: another writer that got there first
// wrote the same bytes.
func publish(tmp, dst string) error {
	err := os.Link(tmp, dst)
	switch {
	case err == nil, errors.Is(err, fs.ErrExist):
		return nil
	case errors.Is(err, errors.ErrUnsupported), isNoLink(err):
		if err := os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("files: rename: %w", err)
		}
		return nil
	}
	return fmt.Errorf("files: link: %w", err)
}

// isNoLink reports the errors of filesystems that have no hard links
// (some FUSE and SMB mounts): the operation is not permitted or not
// supported there.
func isNoLink(err error) bool {
	var le *os.LinkError
	if !errors.As(err, &le) {
		return false
	}
	return errors.Is(le.Err, syscall.EPERM) || errors.Is(le.Err, syscall.ENOTSUP) || errors.Is(le.Err, syscall.EOPNOTSUPP)
}

// syncDir makes a directory's new entries durable, where the system
// allows it; a failure only weakens durability, never correctness.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}

// Open opens the file with the given hash.
func (s *Store) Open(sum string) (*os.File, error) {
	p, err := s.Path(sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("files: %s: %w", sum, fs.ErrNotExist)
	}
	return f, err
}

// Kinds of attachment files, as recognised by their content.
var (
	magicPDF = []byte("%PDF-")
	magicZip = []byte("PK\x03\x04")
	magicOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicPNG = []byte("\x89PNG\r\n\x1a\n")
	magicJPG = []byte{0xFF, 0xD8, 0xFF}
	magicGIF = []byte("GIF8")
)

// mediaTypes maps an extension to its media type and the container its
// content must start with; OFD, DOCX and XLSX are zip packages, DOC, XLS
// and WPS are OLE compound files.
var mediaTypes = map[string]struct {
	mime  string
	magic [][]byte
}{
	".pdf":  {"application/pdf", [][]byte{magicPDF}},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", [][]byte{magicZip}},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [][]byte{magicZip}},
	".ofd":  {"application/ofd", [][]byte{magicZip}},
	".doc":  {"application/msword", [][]byte{magicOLE}},
	".xls":  {"application/vnd.ms-excel", [][]byte{magicOLE}},
	".wps":  {"application/vnd.ms-works", [][]byte{magicOLE, magicZip}},
	".png":  {"image/png", [][]byte{magicPNG}},
	".jpg":  {"image/jpeg", [][]byte{magicJPG}},
	".jpeg": {"image/jpeg", [][]byte{magicJPG}},
	".gif":  {"image/gif", [][]byte{magicGIF}},
}

// Sniff checks that head (the first bytes of a file) fits the file's
// extension and returns its media type. Attachments are accepted by what
// they contain, not by what their name claims.
func Sniff(name string, head []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	mt, ok := mediaTypes[ext]
	if !ok {
		return "", fmt.Errorf("不支持的附件类型 %q（支持 PDF、DOC/DOCX、XLS/XLSX、WPS、OFD 和图片）", ext)
	}
	for _, m := range mt.magic {
		if bytes.HasPrefix(head, m) {
			return mt.mime, nil
		}
	}
	return "", fmt.Errorf("附件内容与扩展名 %s 不符 (content does not match the extension)", ext)
}
