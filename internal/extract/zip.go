package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// maxXMLDepth bounds element nesting: the XML decoder keeps a stack of
// open elements and no real document nests more than a few dozen deep.
const maxXMLDepth = 1000

// pkg is an opened zip package (DOCX, XLSX, OFD) and the decompression
// budget left for it.
type pkg struct {
	zr       *zip.Reader
	format   string
	lim      Limits
	unzipped int64 // decompressed bytes read so far
}

// centralHeader begins every entry of a zip's central directory.
var centralHeader = []byte("PK\x01\x02")

// openPackage opens data as a zip package. The zip reader allocates one
// record per central-directory header before anyone can look at them, so
// the entries are counted first: every header starts with its signature,
// and the signature's occurrences bound what the reader would allocate,
// whatever the directory claims.
func openPackage(data []byte, format string, lim Limits) (*pkg, error) {
	if n := bytes.Count(data, centralHeader); n > lim.MaxEntries {
		return nil, fmt.Errorf("extract: %s package with more than %d entries: %w", format, lim.MaxEntries, ErrTooLarge)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("extract: %s not a zip package: %w: %w", format, err, ErrMalformed)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, fmt.Errorf("extract: %s package with %d entries, more than %d: %w", format, len(zr.File), lim.MaxEntries, ErrTooLarge)
	}
	return &pkg{zr: zr, format: format, lim: lim}, nil
}

// members returns the entries want picks, in natural name order (page 2
// before page 10).
func (p *pkg) members(want func(string) bool) []*zip.File {
	var ms []*zip.File
	for _, f := range p.zr.File {
		if want(f.Name) {
			ms = append(ms, f)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return naturalLess(ms[i].Name, ms[j].Name) })
	return ms
}

// member returns the entry of that exact name, or nil.
func (p *pkg) member(name string) *zip.File {
	for _, f := range p.zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// open opens a member for reading within the member and package budgets.
// The size the directory declares is checked first (a bomb is refused
// before anything is inflated); the zip reader refuses data that runs past
// the declared size, and the bytes read are counted besides.
func (p *pkg) open(f *zip.File) (io.ReadCloser, error) {
	if f.UncompressedSize64 > uint64(p.lim.MaxMember) {
		return nil, fmt.Errorf("extract: %s member %s inflates to %d bytes, more than %d: %w",
			p.format, f.Name, f.UncompressedSize64, p.lim.MaxMember, ErrTooLarge)
	}
	if p.unzipped+int64(f.UncompressedSize64) > p.lim.MaxUnzipped {
		return nil, fmt.Errorf("extract: %s package inflates to more than %d bytes: %w", p.format, p.lim.MaxUnzipped, ErrTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("extract: %s open %s: %w: %w", p.format, f.Name, err, ErrMalformed)
	}
	return &budgetReader{rc: rc, p: p, name: f.Name, left: p.lim.MaxMember}, nil
}

// walk reads a member's XML through fn, stopping at the first error fn
// returns, at the context's end, or when the member is malformed.
func (p *pkg) walk(ctx context.Context, f *zip.File, fn func(xml.Token) error) error {
	rc, err := p.open(f)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := walkXML(ctx, rc, fn); err != nil {
		if errors.Is(err, errFull) || errors.Is(err, ErrTooLarge) || ctx.Err() != nil {
			return err
		}
		if errors.Is(err, zip.ErrFormat) {
			// The zip reader's word for data running past the declared size.
			return fmt.Errorf("extract: %s member %s inflates past the %d bytes its directory declares: %w",
				p.format, f.Name, f.UncompressedSize64, ErrTooLarge)
		}
		return fmt.Errorf("extract: %s read %s: %w: %w", p.format, f.Name, err, ErrMalformed)
	}
	return nil
}

type budgetReader struct {
	rc   io.ReadCloser
	p    *pkg
	name string
	left int64
}

func (r *budgetReader) Read(b []byte) (int, error) {
	n, err := r.rc.Read(b)
	r.left -= int64(n)
	r.p.unzipped += int64(n)
	if r.left < 0 {
		return n, fmt.Errorf("extract: %s member %s inflates to more than %d bytes: %w", r.p.format, r.name, r.p.lim.MaxMember, ErrTooLarge)
	}
	if r.p.unzipped > r.p.lim.MaxUnzipped {
		return n, fmt.Errorf("extract: %s package inflates to more than %d bytes: %w", r.p.format, r.p.lim.MaxUnzipped, ErrTooLarge)
	}
	return n, err
}

func (r *budgetReader) Close() error { return r.rc.Close() }

// walkXML calls fn for every start element, end element and text of r.
func walkXML(ctx context.Context, r io.Reader, fn func(tok xml.Token) error) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	depth := 0
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxXMLDepth {
				return fmt.Errorf("elements nested more than %d deep", maxXMLDepth)
			}
		case xml.EndElement:
			depth--
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

// attr returns the value of the attribute with that local name.
func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// naturalLess orders names with their digit runs compared as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitPrefix(s string) string {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
