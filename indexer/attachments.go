package indexer

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
)

// maxCachedText bounds the text kept in memory between entries sharing
// files (the same file attached twice, rebuilds after updates).
const maxCachedText = 32 << 20

// extractor reads attachments' text from the file store, by SHA-256,
// remembering recent results. Failures are logged and counted, never
// fatal: an entry is indexed without the text it could not read.
type extractor struct {
	files   *files.Store
	log     *slog.Logger
	metrics *metrics.Search

	mu     sync.Mutex
	cache  map[string]string
	cached int
}

func newExtractor(fs *files.Store, log *slog.Logger, m *metrics.Search) *extractor {
	return &extractor{files: fs, log: log, metrics: m, cache: map[string]string{}}
}

// entryText returns the text of an entry's attachments, one after another.
func (x *extractor) entryText(id string, atts []catalog.Attachment) string {
	if x == nil || x.files == nil || len(atts) == 0 {
		return ""
	}
	var b strings.Builder
	for _, a := range atts {
		t := x.text(id, a)
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(t)
		if b.Len() >= maxAttachmentBytes {
			break
		}
	}
	return b.String()
}

func (x *extractor) text(id string, a catalog.Attachment) string {
	x.mu.Lock()
	t, ok := x.cache[a.SHA256]
	x.mu.Unlock()
	if ok {
		return t
	}
	format := attachmentFormat(a.MediaType, a.Name)
	t, err := x.read(format, a)
	switch {
	case errors.Is(err, errUnsupported):
	case err != nil:
		x.metrics.ExtractFailures.WithLabelValues(format).Inc()
		x.log.Warn("attachment text not extracted", slog.String("entry", id), slog.String("name", a.Name),
			slog.String("sha256", a.SHA256), slog.String("format", format), slog.Any("err", err))
	}
	t = strings.TrimSpace(t)
	x.mu.Lock()
	if x.cached+len(t) > maxCachedText {
		clear(x.cache)
		x.cached = 0
	}
	x.cache[a.SHA256] = t
	x.cached += len(t)
	x.mu.Unlock()
	return t
}

func (x *extractor) read(format string, a catalog.Attachment) (string, error) {
	switch format {
	case "image", "other", "doc", "xls":
		return "", errUnsupported
	}
	f, err := x.files.Open(a.SHA256)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("indexer: read attachment: %w", err)
	}
	if len(data) > maxFileBytes {
		return "", fmt.Errorf("indexer: attachment larger than %d MB", maxFileBytes>>20)
	}
	return extractText(format, data)
}

// AttachmentText is the text the index takes from an attachment file,
// its format told by its name; "" for formats it does not read or files
// it cannot. For tools that must see the same text as the index (the
// search benchmark loads Groonga with it).
func AttachmentText(name string, data []byte) string {
	format := attachmentFormat("", name)
	switch format {
	case "image", "other", "doc", "xls":
		return ""
	}
	t, err := extractText(format, data)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(t)
}
