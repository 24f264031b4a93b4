// Package extract reads the text of attachments — DOCX, XLSX, PDF and OFD
// (and WPS files saved as OOXML) — for the search index and the quality
// gate alike, within bounds on input size, decompressed size, zip entries,
// output size and time, so that neither a broken file nor a hostile one
// (a zip bomb, a PDF whose parser panics or loops) can hurt the process
// that reads it.
//
// Text gives the flat text the search index takes. Parts gives the same
// content cut into located pieces, each with a label that a reviewer can
// find in the file:
//
//	DOCX  "第N段" for the Nth paragraph with text of the body (tables not
//	      counted), "表T第R行" for the Rth row of the Tth table (cells
//	      joined by tabs), "脚注N" / "尾注N" for foot- and endnotes
//	XLSX  "<sheet name> 第R行" for row R as the sheet numbers it (its cells'
//	      values joined by tabs, shared strings resolved)
//	PDF   "第N页"
//	OFD   "第N页", in the order of the document's page list; "文档D 第N页"
//	      when the package holds more than one document
//
// Pieces without text are left out but still counted, so the numbers match
// what a reader counts in Word, Excel or a PDF viewer.
package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Part is one located piece of an attachment's text.
type Part struct {
	Label string // where it is in the file, e.g. "第3段", "表1第2行", "Sheet1 第12行", "第2页"
	Text  string
}

// Limits bound the work done on one file. A zero field takes its value
// from DefaultLimits; there is no way to ask for no limit.
type Limits struct {
	MaxInput    int64         // bytes of the file itself
	MaxText     int           // bytes of text returned (for Parts: over all parts)
	MaxEntries  int           // entries in a zip package (DOCX, XLSX, OFD)
	MaxMember   int64         // decompressed bytes of one package member read
	MaxUnzipped int64         // decompressed bytes of all package members read
	Timeout     time.Duration // wall time for one file, on top of the context's deadline
}

// DefaultLimits are what the search index has always used: files up to
// 64 MB, 512 KB of text, members up to 32 MB. A real government DOCX has a
// few dozen zip entries and inflates a few times over; the entry and
// total-decompressed bounds are far above that and far below harm.
func DefaultLimits() Limits {
	return Limits{
		MaxInput:    64 << 20,
		MaxText:     512 << 10,
		MaxEntries:  10000,
		MaxMember:   32 << 20,
		MaxUnzipped: 256 << 20,
		Timeout:     30 * time.Second,
	}
}

func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	if l.MaxInput <= 0 {
		l.MaxInput = d.MaxInput
	}
	if l.MaxText <= 0 {
		l.MaxText = d.MaxText
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxMember <= 0 {
		l.MaxMember = d.MaxMember
	}
	if l.MaxUnzipped <= 0 {
		l.MaxUnzipped = d.MaxUnzipped
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

var (
	// ErrUnsupported marks a file whose text is not read (images, old
	// binary Word, Excel and WPS files); it is no failure.
	ErrUnsupported = errors.New("extract: no text extraction for this format")
	// ErrTooLarge marks a file refused for a size bound: the file, its
	// zip entries, a member's or all members' decompressed size.
	ErrTooLarge = errors.New("extract: file exceeds a size limit")
	// ErrTruncated comes with the text (or parts) that fitted in
	// Limits.MaxText when the file held more.
	ErrTruncated = errors.New("extract: text cut at the output limit")
	// ErrMalformed marks a file a parser could not read, panics included.
	ErrMalformed = errors.New("extract: malformed file")
	// ErrBusy marks a PDF not read because too many readers of earlier
	// ones are still running past their deadline.
	ErrBusy = errors.New("extract: too many readers still running")
)

// Format names a file's format from its media type, or its name's
// extension when the media type says nothing useful: "pdf", "docx",
// "xlsx", "ofd", "wps", "doc", "xls", "image" or "other".
func Format(mediaType, name string) string {
	switch {
	case strings.Contains(mediaType, "pdf"):
		return "pdf"
	case strings.Contains(mediaType, "wordprocessingml"):
		return "docx"
	case strings.Contains(mediaType, "spreadsheetml"):
		return "xlsx"
	case mediaType == "application/ofd":
		return "ofd"
	case mediaType == "application/vnd.ms-works":
		return "wps"
	case mediaType == "application/msword":
		return "doc"
	case strings.HasPrefix(mediaType, "image/"):
		return "image"
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(name)), ".")
	switch ext {
	case "pdf", "docx", "xlsx", "ofd", "wps", "doc", "xls":
		return ext
	}
	return "other"
}

// Readable tells whether text may be extracted from a format at all, so a
// caller need not even open files that can give none.
func Readable(format string) bool {
	switch format {
	case "pdf", "docx", "xlsx", "ofd", "wps":
		return true
	}
	return false
}

// ReadFile reads a whole file within lim.MaxInput.
func ReadFile(r io.Reader, lim Limits) ([]byte, error) {
	lim = lim.orDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxInput+1))
	if err != nil {
		return nil, fmt.Errorf("extract: read file: %w", err)
	}
	if int64(len(data)) > lim.MaxInput {
		return nil, fmt.Errorf("extract: file larger than %d bytes: %w", lim.MaxInput, ErrTooLarge)
	}
	return data, nil
}

// Text returns the text of a file of the given format (see Format) as the
// search index takes it. When the file holds more than lim.MaxText, the
// text that fits comes with ErrTruncated; on any other error it is "".
func Text(ctx context.Context, format string, data []byte, lim Limits) (string, error) {
	o, err := run(ctx, format, data, lim, &out{flat: true})
	if err != nil && !errors.Is(err, ErrTruncated) {
		return "", err
	}
	return truncateBytes(o.b.String(), o.max), err
}

// Parts returns the located pieces of a file's text (see the package
// comment for the labels). When they exceed lim.MaxText in all, the parts
// that fit (the last one cut) come with ErrTruncated; on any other error
// there are none.
func Parts(ctx context.Context, format string, data []byte, lim Limits) ([]Part, error) {
	o, err := run(ctx, format, data, lim, &out{located: true})
	if err != nil && !errors.Is(err, ErrTruncated) {
		return nil, err
	}
	return o.parts, err
}

// run checks the input, sets the deadline and reads the file in the
// format's reader; a panic anywhere in it becomes ErrMalformed.
func run(ctx context.Context, format string, data []byte, lim Limits, o *out) (_ *out, err error) {
	lim = lim.orDefaults()
	o.max = lim.MaxText
	if !Readable(format) {
		return o, ErrUnsupported
	}
	if int64(len(data)) > lim.MaxInput {
		return o, fmt.Errorf("extract: %s file larger than %d bytes: %w", format, lim.MaxInput, ErrTooLarge)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	if format == "wps" {
		// Newer WPS files are OOXML packages; the older binary ones are
		// left out like .doc.
		if !strings.HasPrefix(string(data[:min(len(data), 4)]), "PK\x03\x04") {
			return o, ErrUnsupported
		}
		format = "docx"
	}
	if format == "pdf" {
		// The PDF library can loop where we cannot reach it: it runs
		// apart, and is left behind at the deadline.
		return pdfRead(ctx, data, lim, o)
	}
	defer recoverParser(&err, format)
	switch format {
	case "docx":
		err = docxRead(ctx, data, lim, o)
	case "xlsx":
		err = xlsxRead(ctx, data, lim, o)
	case "ofd":
		err = ofdRead(ctx, data, lim, o)
	}
	return o, finish(format, err)
}

// finish turns a walk's end into the error callers see.
func finish(format string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errFull):
		return fmt.Errorf("extract: %s: %w", format, ErrTruncated)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("extract: %s: out of time: %w", format, err)
	}
	return err
}

func recoverParser(err *error, format string) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("extract: %s parser failed: %v: %w", format, v, ErrMalformed)
	}
}

// truncateBytes cuts s to at most n bytes, on a character boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
