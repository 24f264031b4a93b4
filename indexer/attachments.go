package indexer

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"

	"gongkai/internal/catalog"
	"gongkai/internal/extract"
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
	format := extract.Format(a.MediaType, a.Name)
	t, err := x.read(format, a)
	switch {
	case errors.Is(err, extract.ErrUnsupported):
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
	if !extract.Readable(format) {
		return "", extract.ErrUnsupported
	}
	f, err := x.files.Open(a.SHA256)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := extract.ReadFile(f, extract.DefaultLimits())
	if err != nil {
		return "", err
	}
	return extractText(format, data)
}

// extractText is the text the index takes from a file: what fits in the
// extraction's default output limit, a longer text cut there without
// complaint.
func extractText(format string, data []byte) (string, error) {
	t, err := extract.Text(context.Background(), format, data, extract.DefaultLimits())
	if errors.Is(err, extract.ErrTruncated) {
		err = nil
	}
	return t, err
}

// AttachmentText is the text the index takes from an attachment file,
// its format told by its name; "" for formats it does not read or files
// it cannot. For tools that must see the same text as the index (the
// search benchmark loads Groonga with it).
func AttachmentText(name string, data []byte) string {
	t, err := extractText(extract.Format("", name), data)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(t)
}
