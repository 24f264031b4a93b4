package workflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
)

// ErrTooLarge refuses an upload over the size limit.
var ErrTooLarge = errors.New("workflow: file too large")

// cleanFileName keeps the last path element of an uploaded name, without
// control characters, at most 120 characters.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" {
		return ""
	}
	if r := []rune(name); len(r) > 120 {
		ext := path.Ext(name)
		name = string(r[:120-len([]rune(ext))]) + ext
	}
	return name
}

// Upload stores an attachment a unit's staff uploads, after checking its
// content against its name: a renamed executable is refused, whatever its
// extension says. It returns the attachment to name in a draft.
func (s *Service) Upload(ctx context.Context, c Caller, unit, name string, r io.Reader) (catalog.Attachment, error) {
	if unit == "" {
		unit = c.P.Unit
	}
	if err := auth.CanWriteEntries(c.P, unit); err != nil {
		return catalog.Attachment{}, s.refuse(ctx, c, "file.upload", "file", name, unit, err)
	}
	name = cleanFileName(name)
	if name == "" {
		return catalog.Attachment{}, catalog.FieldErrors{{Field: "file", Reason: "缺少文件名 (no file name)"}}
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return catalog.Attachment{}, err
	}
	head = head[:n]
	if n == 0 {
		return catalog.Attachment{}, catalog.FieldErrors{{Field: "file", Reason: fmt.Sprintf("附件 %q 是空文件 (empty file)", name)}}
	}
	mt, err := files.Sniff(name, head)
	if err != nil {
		return catalog.Attachment{}, s.refuse(ctx, c, "file.upload", "file", name, unit, catalog.FieldErrors{{Field: "file", Reason: err.Error()}})
	}
	// Reading past the limit fails the copy, so the file store drops its
	// temporary file instead of keeping a truncated one.
	tooLarge := fmt.Errorf("%w: 附件 %q 超过 %d MB", ErrTooLarge, name, s.MaxAttachment>>20)
	sum, size, err := s.files.Put(&capped{r: io.MultiReader(bytes.NewReader(head), r), left: s.MaxAttachment, err: tooLarge})
	if errors.Is(err, ErrTooLarge) {
		return catalog.Attachment{}, tooLarge
	}
	if err != nil {
		return catalog.Attachment{}, err
	}
	return catalog.Attachment{Name: name, SHA256: sum, Size: size, MediaType: mt}, nil
}

// attachment resolves a draft's attachment reference: a file already in
// the file store, named by its SHA-256, whose content fits its name. Paths
// on the server are never read on a caller's behalf.
func (s *Service) attachment(a catalog.AttachmentRef) (catalog.Attachment, error) {
	if a.File != "" && a.SHA256 == "" {
		return catalog.Attachment{}, errors.New("请先上传附件，再以 sha256 引用 (upload the file first and name it by sha256)")
	}
	sum := strings.ToLower(strings.TrimSpace(a.SHA256))
	name := cleanFileName(a.Name)
	if name == "" {
		return catalog.Attachment{}, errors.New("缺少附件名称 (name required)")
	}
	f, err := s.files.Open(sum)
	if errors.Is(err, fs.ErrNotExist) {
		return catalog.Attachment{}, fmt.Errorf("附件 %q 尚未上传 (no uploaded file with that sha256)", name)
	}
	if err != nil {
		return catalog.Attachment{}, fmt.Errorf("附件 %q：%v", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return catalog.Attachment{}, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	mt, err := files.Sniff(name, head[:n])
	if err != nil {
		return catalog.Attachment{}, fmt.Errorf("附件 %q：%v", name, err)
	}
	return catalog.Attachment{Name: name, SHA256: sum, Size: st.Size(), MediaType: mt}, nil
}

// capped reads at most left bytes and then fails with err.
type capped struct {
	r    io.Reader
	left int64
	err  error
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, c.err
	}
	return n, err
}
