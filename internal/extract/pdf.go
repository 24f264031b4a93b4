package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ledongthuc/pdf"
)

// pdfRead reads a PDF's pages apart from the caller. Our own loops stop at
// the deadline and pdfPreflight refuses the structures known to make the
// library loop or die; a loop inside the library that we do not know of
// would be out of our reach, so the reader runs apart and is left behind
// at the deadline. A panic in it becomes ErrMalformed.
func pdfRead(ctx context.Context, data []byte, lim Limits, o *out) (*out, error) {
	err := runApart(ctx, func() error { return pdfPages(ctx, data, lim, o) })
	if err == errLeftBehind {
		// o belongs to the parser still running: answer with an empty one.
		return &out{max: o.max, flat: o.flat, located: o.located}, finish("pdf", ctx.Err())
	}
	return o, finish("pdf", err)
}

// maxStragglers bounds the PDF readers left running past their deadline.
// Each may hold a core and its memory until the library's loop ends, if it
// ever does; past the bound a PDF is not read at all (ErrBusy) until one
// of them ends, so that hostile files can slow text extraction but never
// take the process down.
const maxStragglers = 4

// stragglers counts the readers left behind. It is process-wide state on
// purpose: the goroutines it counts are the process's.
var stragglers atomic.Int64

// errLeftBehind: the reader is still running after the deadline.
var errLeftBehind = errors.New("extract: reader left behind at the deadline")

// runApart runs read on its own goroutine and waits for it until ctx
// ends; then it leaves it behind, counted in stragglers until it returns.
func runApart(ctx context.Context, read func() error) error {
	if n := stragglers.Load(); n >= maxStragglers {
		return fmt.Errorf("extract: pdf: %d earlier readers still running past their deadline: %w", n, ErrBusy)
	}
	const (
		running = iota
		finished
		abandoned
	)
	var state atomic.Int32
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() {
			if !state.CompareAndSwap(running, finished) {
				stragglers.Add(-1)
			}
			done <- err
		}()
		defer recoverParser(&err, "pdf")
		err = read()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if state.CompareAndSwap(running, abandoned) {
			stragglers.Add(1)
			return errLeftBehind
		}
		// It ended as the deadline came: take its answer.
		return <-done
	}
}

// pdfPages reads the text of every page, a page a part. It does what the
// library's Reader.GetPlainText does — the same pages, fonts and
// operators, so the index's text stays what it was — but checks the
// deadline and the output limit as it goes.
func pdfPages(ctx context.Context, data []byte, lim Limits, o *out) error {
	if err := pdfPreflight(data, lim); err != nil {
		return err
	}
	rd, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("extract: read pdf: %w: %w", err, ErrMalformed)
	}
	pages := rd.NumPage()
	x := &pdfText{ctx: ctx, lim: lim, fonts: map[string]*pdf.Font{}, cost: map[*pdf.Font]int{}}
	steps := 0
	for i := 1; i <= pages; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, exhausted, err := pdfPage(ctx, rd, i, &steps)
		if err != nil {
			return err
		}
		if exhausted {
			break // no page after this one can be found either
		}
		// The page's fonts by name, the first page to name one winning,
		// as the library keeps them.
		res, err := pdfResources(p)
		if err != nil {
			return err
		}
		fonts := res.Key("Font")
		for _, name := range fonts.Keys() {
			if _, ok := x.fonts[name]; !ok {
				x.fonts[name] = &pdf.Font{V: fonts.Key(name)}
			}
		}
		used := o.size
		if o.flat {
			used = o.b.Len()
		}
		text, cut := x.page(p, o.max-used)
		if cut != nil && !errors.Is(cut, errFull) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(cut, ErrTooLarge) || errors.Is(cut, ErrMalformed) {
				return cut
			}
			return fmt.Errorf("extract: pdf text: %w: %w", cut, ErrMalformed)
		}
		if err := o.text(text); err != nil {
			return err
		}
		if err := o.part(fmt.Sprintf("第%d页", i), text); err != nil {
			return err
		}
		if cut != nil {
			return cut
		}
	}
	return nil
}

// pdfPage finds page num (from 1) as the library's Reader.Page does,
// counting the nodes it visits so that a cyclic page tree meets the
// deadline. exhausted says the search failed at the root (past its count,
// its kids run out, or no page tree at all): no later page exists either.
func pdfPage(ctx context.Context, r *pdf.Reader, num int, steps *int) (_ pdf.Page, exhausted bool, _ error) {
	num-- // now 0-indexed
	page := r.Trailer().Key("Root").Key("Pages")
	root := true
	depth := 0
Search:
	for page.Key("Type").Name() == "Pages" {
		if depth++; depth > maxPageTreeDepth {
			return pdf.Page{}, false, pdfRefuse("page tree deeper than %d (a loop?)", maxPageTreeDepth)
		}
		count := int(page.Key("Count").Int64())
		if count < num {
			return pdf.Page{}, root, nil
		}
		kids := page.Key("Kids")
		for i := 0; i < kids.Len(); i++ {
			if *steps++; *steps%256 == 0 {
				if err := ctx.Err(); err != nil {
					return pdf.Page{}, false, err
				}
			}
			kid := kids.Index(i)
			if kid.Key("Type").Name() == "Pages" {
				c := int(kid.Key("Count").Int64())
				if num < c {
					page = kid
					root = false
					continue Search
				}
				num -= c
				continue
			}
			if kid.Key("Type").Name() == "Page" {
				if num == 0 {
					return pdf.Page{V: kid}, false, nil
				}
				num--
			}
		}
		return pdf.Page{}, root, nil
	}
	return pdf.Page{}, root, nil
}

// maxPageTreeDepth bounds the page tree and a page's chain of parents;
// real ones are a few levels deep, looping ones endless.
const maxPageTreeDepth = 256

// pdfResources is a page's resources, inherited from its parents as the
// library's Page.Resources finds them, but giving up on a loop.
func pdfResources(p pdf.Page) (pdf.Value, error) {
	n := 0
	for v := p.V; !v.IsNull(); v = v.Key("Parent") {
		if r := v.Key("Resources"); !r.IsNull() {
			return r, nil
		}
		if n++; n > maxPageTreeDepth {
			return pdf.Value{}, pdfRefuse("page's parents deeper than %d (a loop?)", maxPageTreeDepth)
		}
	}
	return pdf.Value{}, nil
}

// Bounds on the work the library does for one page's text, beyond the
// file's own: a content stream or a font's ToUnicode map is read through
// once before the library interprets it, which keeps its operand stack
// within that size; decoding a string costs its length times the size of
// the font's map, which is bounded per string.
const (
	maxCMapBytes   = 8 << 20
	maxCMapNumber  = 1 << 20 // a count in a ToUnicode map (the library loops that many times)
	maxDecodeSteps = 1 << 30
)

// pdfText reads pages' text: the fonts seen so far (by name, across pages,
// as the library keeps them) and what their encodings cost.
type pdfText struct {
	ctx      context.Context
	lim      Limits
	fonts    map[string]*pdf.Font
	cost     map[*pdf.Font]int // decoding steps per byte of text
	unzipped int64
}

// pdfStop carries an error out of the content interpreter.
type pdfStop struct{ err error }

// page is the library's Page.GetPlainText (its bugs included: the "
// operator always fails, as there), with the deadline checked at every
// operator, the streams' sizes checked before they are interpreted, and
// the text cut once it passes room bytes (returned with errFull).
func (x *pdfText) page(p pdf.Page, room int) (result string, err error) {
	var b strings.Builder
	defer func() {
		if v := recover(); v != nil {
			if s, ok := v.(pdfStop); ok {
				err = s.err
				if errors.Is(err, errFull) {
					result = b.String()
				}
				return
			}
			result, err = "", errors.New(fmt.Sprint(v))
		}
	}()
	if p.V.IsNull() || p.V.Key("Contents").Kind() == pdf.Null {
		return "", nil
	}
	strm := p.V.Key("Contents")
	if strm.Kind() == pdf.Array {
		for i := 0; i < strm.Len(); i++ {
			if _, err := x.streamSize(strm.Index(i), x.lim.MaxMember); err != nil {
				return "", err
			}
		}
	} else if _, err := x.streamSize(strm, x.lim.MaxMember); err != nil {
		return "", err
	}
	var enc pdf.TextEncoding = nopEncoding{}
	cost := 1
	showText := func(s string) {
		b.WriteString(s)
		if b.Len() > room {
			panic(pdfStop{errFull})
		}
	}
	showEncodedText := func(s string) {
		if len(s)*cost > maxDecodeSteps {
			panic(pdfStop{pdfRefuse("a string of %d bytes in a font whose map has %d entries", len(s), cost)})
		}
		showText(decodeText(enc, s))
	}
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		if err := x.ctx.Err(); err != nil {
			panic(pdfStop{err})
		}
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		default:
			return
		case "BT": // add a space between text objects
			showText("\n")
		case "T*": // move to start of next line
			showEncodedText("\n")
		case "Tf": // set text font and size
			if len(args) != 2 {
				panic("bad TL")
			}
			if font, ok := x.fonts[args[0].Name()]; ok {
				cost = x.fontCost(font)
				enc = font.Encoder()
			} else {
				enc, cost = nopEncoding{}, 1
			}
		case "\"": // set spacing, move to next line, and show text
			if len(args) != 3 {
				panic("bad \" operator")
			}
			fallthrough
		case "'": // move to next line and show text
			if len(args) != 1 {
				panic("bad ' operator")
			}
			fallthrough
		case "Tj": // show text
			if len(args) != 1 {
				panic("bad Tj operator")
			}
			showEncodedText(args[0].RawString())
		case "TJ": // show text, allowing individual glyph positioning
			v := args[0]
			for i := 0; i < v.Len(); i++ {
				x := v.Index(i)
				if x.Kind() == pdf.String {
					showEncodedText(x.RawString())
				}
			}
		}
	})
	return b.String(), nil
}

// streamSize reads a stream through once, within limit bytes and what is
// left of the file's budget, and returns its size.
func (x *pdfText) streamSize(v pdf.Value, limit int64) (int64, error) {
	if v.Kind() != pdf.Stream {
		return 0, nil
	}
	rc := v.Reader()
	defer rc.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		if err := x.ctx.Err(); err != nil {
			return n, err
		}
		m, err := rc.Read(buf)
		n += int64(m)
		x.unzipped += int64(m)
		if n > limit {
			return n, fmt.Errorf("extract: pdf stream inflates to more than %d bytes: %w", limit, ErrTooLarge)
		}
		if x.unzipped > x.lim.MaxUnzipped {
			return n, fmt.Errorf("extract: pdf streams inflate to more than %d bytes: %w", x.lim.MaxUnzipped, ErrTooLarge)
		}
		if err != nil {
			return n, nil // the library meets the same error, and answers it
		}
	}
}

// fontCost checks, the first time a font is used, what its encoding will
// cost the library: a ToUnicode map is read through (and refused with a
// count the library would loop on), and the map's size or the encoding's
// list of differences is the work per byte of text.
func (x *pdfText) fontCost(f *pdf.Font) int {
	if c, ok := x.cost[f]; ok {
		return c
	}
	cost := 1
	if enc := f.V.Key("Encoding"); enc.Kind() == pdf.Dict {
		cost = max(cost, enc.Key("Differences").Len())
	}
	if tu := f.V.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		entries, err := x.checkCMap(tu)
		if err != nil {
			panic(pdfStop{err})
		}
		cost = max(cost, entries)
	}
	x.cost[f] = cost
	return cost
}

// checkCMap reads a ToUnicode map and returns about how many entries it
// has (its tokens); a number past maxCMapNumber is refused.
func (x *pdfText) checkCMap(v pdf.Value) (int, error) {
	rc := v.Reader()
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxCMapBytes+1))
	if len(data) > maxCMapBytes {
		return 0, fmt.Errorf("extract: pdf font map larger than %d bytes: %w", maxCMapBytes, ErrTooLarge)
	}
	if x.unzipped += int64(len(data)); x.unzipped > x.lim.MaxUnzipped {
		return 0, fmt.Errorf("extract: pdf streams inflate to more than %d bytes: %w", x.lim.MaxUnzipped, ErrTooLarge)
	}
	_ = err // the library meets the same error, and answers it
	l := &pdfLexer{d: data}
	tokens := 0
	for {
		tok := l.token()
		if tok == "" {
			break
		}
		tokens++
		if n, err := strconv.ParseInt(tok, 10, 64); err == nil && (n > maxCMapNumber || n < -maxCMapNumber) {
			return 0, pdfRefuse("font map with the number %d", n)
		}
	}
	return max(tokens, 1), nil
}

// nopEncoding is the library's encoding for text in no known font: the
// bytes as they are.
type nopEncoding struct{}

func (nopEncoding) Decode(raw string) string { return raw }

// decodeText decodes raw font code points with enc into UTF-8 (invalid
// bytes become U+FFFD), as the library does.
func decodeText(enc pdf.TextEncoding, raw string) string {
	var b strings.Builder
	for _, ch := range enc.Decode(raw) {
		b.WriteRune(ch)
	}
	return b.String()
}
