package extract

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The PDF library trusts numbers in the file in a few places that decide
// memory or termination, and not all of them can be caught once it runs:
// a cross-reference /Size or section start becomes an allocation (tens of
// gigabytes: the process dies), a /Prev chain or /Extends chain that
// loops never ends, an object said to live in an object stream that
// itself lives in one recurses until the stack overflows (the process
// dies), a predictor's /Columns becomes an allocation. pdfPreflight reads
// just enough of the file's structure — the cross-reference sections and
// the object-stream headers — to refuse those files before the library
// sees them. Real files are nowhere near these bounds.
const (
	maxPDFObjects  = 1 << 21 // cross-reference entries: 64 MB of table in the library
	maxPDFSections = 1000    // cross-reference sections in the /Prev chain
	maxPDFColumns  = 1 << 20 // a predictor's row length
	maxPDFWidth    = 32      // bytes of one field of a cross-reference stream row
	maxPDFExtends  = 64      // object streams in one /Extends chain
)

var errPDFStructure = errors.New("unsafe PDF structure")

func pdfRefuse(format string, args ...any) error {
	return fmt.Errorf("extract: pdf: %s: %w: %w", fmt.Sprintf(format, args...), errPDFStructure, ErrMalformed)
}

// pdfPreflight refuses files whose structure would hang or kill the PDF
// library. Where it cannot follow the structure it says nothing: the
// library then fails on its own, safely.
func pdfPreflight(data []byte, lim Limits) error {
	c := &pdfXrefs{data: data, lim: lim, inFile: map[int64]int64{}, inStream: map[int64]int64{}}
	start, ok := pdfStartXref(data)
	if !ok {
		return c.checkColumns()
	}
	seen := map[int64]bool{}
	for off, n := start, 0; off >= 0; n++ {
		if seen[off] {
			return pdfRefuse("the cross-reference sections' /Prev chain loops at offset %d", off)
		}
		if n >= maxPDFSections {
			return pdfRefuse("more than %d cross-reference sections", maxPDFSections)
		}
		seen[off] = true
		next, err := c.section(off)
		if err != nil {
			return err
		}
		off = next
	}
	for obj, strm := range c.inStream {
		if _, ok := c.inStream[strm]; ok {
			return pdfRefuse("object %d is in object stream %d, which is itself in an object stream", obj, strm)
		}
	}
	checked := map[int64]bool{}
	for _, strm := range c.inStream {
		if checked[strm] {
			continue
		}
		chain := map[int64]bool{}
		for cur, n := strm, 0; ; n++ {
			checked[cur] = true
			if chain[cur] {
				return pdfRefuse("the /Extends chain of object stream %d loops", strm)
			}
			if n >= maxPDFExtends {
				return pdfRefuse("object stream %d extends more than %d others", strm, maxPDFExtends)
			}
			chain[cur] = true
			off, ok := c.inFile[cur]
			if !ok {
				break
			}
			d, ok := pdfObjectDict(data, off)
			if !ok {
				break
			}
			ext, ok := d.d["Extends"]
			if !ok || ext.kind != 'r' {
				break
			}
			cur = int64(uint32(ext.i))
		}
	}
	return c.checkColumns()
}

// pdfStartXref finds the offset after the last startxref, as the library
// looks for it near the end of the file.
func pdfStartXref(data []byte) (int64, bool) {
	tail := data[max(0, len(data)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, false
	}
	l := &pdfLexer{d: tail, p: i + len("startxref")}
	v, ok := l.value(0)
	if !ok || v.kind != 'i' || v.i < 0 || v.i >= int64(len(data)) {
		return 0, false
	}
	return v.i, true
}

// pdfXrefs gathers the cross-reference entries of every section: where
// each object is, in the file or in an object stream.
type pdfXrefs struct {
	data     []byte
	lim      Limits
	inFile   map[int64]int64 // object → offset (the first section to name it wins, as in the library)
	inStream map[int64]int64 // object → the object stream holding it (any section)
	entries  int
	unzipped int64
}

func (c *pdfXrefs) add(obj int64, typ, f2 int64) error {
	if c.entries++; c.entries > maxPDFObjects {
		return pdfRefuse("more than %d cross-reference entries", maxPDFObjects)
	}
	switch typ {
	case 1:
		if _, ok := c.inFile[obj]; !ok && f2 > 0 {
			c.inFile[obj] = f2
		}
	case 2:
		c.inStream[int64(uint32(obj))] = int64(uint32(f2)) // object numbers as the library keeps them
	}
	return nil
}

func pdfObjectRange(start, n int64) bool {
	return start >= 0 && n >= 0 && start <= maxPDFObjects && n <= maxPDFObjects && start+n <= maxPDFObjects
}

// section reads the cross-reference section at off and returns the offset
// of the previous one (-1 when there is none, or it cannot be followed).
func (c *pdfXrefs) section(off int64) (int64, error) {
	if off < 0 || off >= int64(len(c.data)) {
		return -1, nil
	}
	l := &pdfLexer{d: c.data, p: int(off)}
	save := l.p
	if l.token() == "xref" {
		for {
			tok := l.token()
			if tok == "trailer" || tok == "" {
				break
			}
			start, err1 := strconv.ParseInt(tok, 10, 64)
			n, err2 := strconv.ParseInt(l.token(), 10, 64)
			if err1 != nil || err2 != nil {
				return -1, nil
			}
			if !pdfObjectRange(start, n) {
				return -1, pdfRefuse("cross-reference section for objects %d to %d+%d", start, start, n)
			}
			for i := range n {
				off, _ := strconv.ParseInt(l.token(), 10, 64)
				l.token()
				if l.token() == "n" {
					if err := c.add(start+i, 1, off); err != nil {
						return -1, err
					}
				}
				if l.p >= len(l.d) {
					return -1, nil
				}
			}
		}
		trailer, ok := l.value(0)
		if !ok || trailer.kind != 'd' {
			return -1, nil
		}
		return prevOffset(trailer), nil
	}
	l.p = save
	d, ok := pdfObjectDict(c.data, off)
	if !ok || d.d["Type"].s != "XRef" {
		return -1, nil
	}
	return c.stream(d)
}

func prevOffset(d pdfValue) int64 {
	if p, ok := d.d["Prev"]; ok && p.kind == 'i' {
		return p.i
	}
	return -1
}

// stream reads a cross-reference stream: its bounds, and its entries.
func (c *pdfXrefs) stream(d pdfValue) (int64, error) {
	size := d.d["Size"]
	if size.kind != 'i' {
		return -1, nil
	}
	if !pdfObjectRange(0, size.i) {
		return -1, pdfRefuse("cross-reference stream of /Size %d", size.i)
	}
	index := []pdfValue{{kind: 'i'}, size}
	if ix, ok := d.d["Index"]; ok && ix.kind == 'a' {
		index = ix.a
	}
	var w []int64
	total := int64(0)
	for _, x := range d.d["W"].a {
		if x.kind != 'i' || x.i < 0 || x.i > maxPDFWidth {
			return -1, pdfRefuse("cross-reference stream field width %v", x.i)
		}
		w = append(w, x.i)
		total += x.i
	}
	if len(w) < 3 {
		return -1, nil
	}
	for i := 0; i+1 < len(index); i += 2 {
		if index[i].kind != 'i' || index[i+1].kind != 'i' {
			return -1, nil
		}
		if !pdfObjectRange(index[i].i, index[i+1].i) {
			return -1, pdfRefuse("cross-reference stream section for objects %d to %d+%d", index[i].i, index[i].i, index[i+1].i)
		}
	}
	raw, err := c.decode(d)
	if err != nil || raw == nil {
		return prevOffset(d), err
	}
	row := raw
	for i := 0; i+1 < len(index); i += 2 {
		for j := range index[i+1].i {
			if int64(len(row)) < total {
				return prevOffset(d), nil
			}
			typ := int64(1)
			if w[0] > 0 {
				typ = pdfField(row[:w[0]])
			}
			f2 := pdfField(row[w[0] : w[0]+w[1]])
			if err := c.add(index[i].i+j, typ, f2); err != nil {
				return -1, err
			}
			row = row[total:]
		}
	}
	return prevOffset(d), nil
}

func pdfField(b []byte) int64 {
	x := int64(0)
	for _, c := range b {
		x = x<<8 | int64(c)
	}
	return x
}

// decode returns a stream's data through its filters, as the library
// would read it; nil when it cannot tell.
func (c *pdfXrefs) decode(d pdfValue) ([]byte, error) {
	length := d.d["Length"]
	if length.kind != 'i' || d.stream < 0 {
		return nil, nil
	}
	end := min(int64(d.stream)+max(length.i, 0), int64(len(c.data)))
	var r io.Reader = bytes.NewReader(c.data[d.stream:end])
	filters, params := []pdfValue{d.d["Filter"]}, []pdfValue{d.d["DecodeParms"]}
	if filters[0].kind == 'a' {
		filters = filters[0].a
		params = d.d["DecodeParms"].a
	}
	for i, f := range filters {
		var p pdfValue
		if i < len(params) {
			p = params[i]
		}
		switch {
		case f.kind == 0:
		case f.s == "FlateDecode":
			zr, err := zlib.NewReader(r)
			if err != nil {
				return nil, nil
			}
			r = zr
			if pred, ok := p.d["Predictor"]; ok {
				cols := p.d["Columns"]
				if pred.i != 12 || cols.kind != 'i' || cols.i < 0 || cols.i > maxPDFColumns {
					return nil, nil
				}
				r = &pngUp{r: r, row: make([]byte, 1+cols.i), prev: make([]byte, 1+cols.i)}
			}
		case f.s == "ASCII85Decode":
			r = ascii85.NewDecoder(&ascii85Text{r: r})
		default:
			return nil, nil
		}
	}
	out, err := io.ReadAll(io.LimitReader(r, c.lim.MaxMember+1))
	if int64(len(out)) > c.lim.MaxMember {
		return nil, fmt.Errorf("extract: pdf cross-reference stream inflates to more than %d bytes: %w", c.lim.MaxMember, ErrTooLarge)
	}
	if c.unzipped += int64(len(out)); c.unzipped > c.lim.MaxUnzipped {
		return nil, fmt.Errorf("extract: pdf cross-reference streams inflate to more than %d bytes: %w", c.lim.MaxUnzipped, ErrTooLarge)
	}
	if err != nil && len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// pngUp undoes the PNG "Up" predictor, row by row, as the library does.
type pngUp struct {
	r         io.Reader
	row, prev []byte
	pend      []byte
}

func (p *pngUp) Read(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		if len(p.pend) > 0 {
			m := copy(b, p.pend)
			n, b, p.pend = n+m, b[m:], p.pend[m:]
			continue
		}
		if _, err := io.ReadFull(p.r, p.row); err != nil {
			return n, err
		}
		if p.row[0] != 2 {
			return n, errors.New("malformed PNG-Up encoding")
		}
		for i, c := range p.row {
			p.prev[i] += c
		}
		p.pend = p.prev[1:]
	}
	return n, nil
}

// ascii85Text keeps the ASCII85 characters up to the end mark "~".
type ascii85Text struct {
	r   io.Reader
	eod bool
}

func (a *ascii85Text) Read(p []byte) (int, error) {
	if a.eod {
		return 0, io.EOF
	}
	n, err := a.r.Read(p)
	out := 0
	for _, c := range p[:n] {
		if c == '~' {
			a.eod = true
			return out, io.EOF
		}
		if c >= '!' && c <= 'u' || c == 'z' {
			p[out] = c
			out++
		}
	}
	return out, err
}

// checkColumns refuses a predictor whose /Columns is not a small number.
// Every stream's dictionary stands in the file as written (a stream
// cannot live in an object stream, and encryption leaves dictionaries
// readable), so what the library will allocate can be read off the
// bytes; where /DecodeParms or /Columns is a reference, the object it
// names must be in the file too (one in an object stream would hide the
// number), and a /Columns it names is read there.
func (c *pdfXrefs) checkColumns() error {
	data := c.data
	for _, key := range []string{"/Columns", "/DecodeParms"} {
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte(key))
			if j < 0 {
				break
			}
			i += j + len(key)
			if i < len(data) && !pdfDelimiter(data[i]) && !pdfSpace(data[i]) {
				continue // a longer name
			}
			l := &pdfLexer{d: data, p: i}
			v, ok := l.value(0)
			if !ok {
				continue
			}
			for _, ref := range v.refs(nil) {
				if _, ok := c.inStream[int64(uint32(ref))]; ok {
					return pdfRefuse("%s given by an object in an object stream", key)
				}
				if key == "/Columns" {
					if off, ok := c.inFile[ref]; ok {
						if v, ok := pdfObjectValue(data, off); ok && v.kind == 'i' && v.i > maxPDFColumns {
							return pdfRefuse("predictor of %d columns", v.i)
						}
					}
				}
			}
			if key == "/Columns" && v.kind == 'i' && v.i > maxPDFColumns {
				return pdfRefuse("predictor of %d columns", v.i)
			}
		}
	}
	return nil
}

// pdfObjectValue reads the value of the object at off ("n g obj …").
func pdfObjectValue(data []byte, off int64) (pdfValue, bool) {
	v, _, ok := pdfObject(data, off)
	return v, ok
}

func pdfObject(data []byte, off int64) (pdfValue, *pdfLexer, bool) {
	if off < 0 || off >= int64(len(data)) {
		return pdfValue{}, nil, false
	}
	l := &pdfLexer{d: data, p: int(off)}
	if _, err := strconv.ParseInt(l.token(), 10, 64); err != nil {
		return pdfValue{}, nil, false
	}
	if _, err := strconv.ParseInt(l.token(), 10, 64); err != nil {
		return pdfValue{}, nil, false
	}
	if l.token() != "obj" {
		return pdfValue{}, nil, false
	}
	v, ok := l.value(0)
	return v, l, ok
}

// pdfObjectDict reads the dictionary of the object at off ("n g obj <<…>>"),
// and where its stream's data starts.
func pdfObjectDict(data []byte, off int64) (pdfValue, bool) {
	d, l, ok := pdfObject(data, off)
	if !ok || d.kind != 'd' {
		return pdfValue{}, false
	}
	d.stream = -1
	if l.token() == "stream" {
		p := l.p
		if p < len(data) && data[p] == '\r' {
			p++
		}
		if p < len(data) && data[p] == '\n' {
			p++
		}
		d.stream = p
	}
	return d, true
}

// pdfValue is a PDF object as the preflight needs it: integers, names,
// references, arrays and dictionaries; anything else is kind 'o'.
type pdfValue struct {
	kind   byte // 'i' integer, 'n' name, 'r' reference, 'a' array, 'd' dictionary, 'o' other
	i      int64
	s      string
	a      []pdfValue
	d      map[string]pdfValue
	stream int // where the stream's data starts (-1: none), for an object's dictionary
}

// refs appends the objects v refers to, at any depth.
func (v pdfValue) refs(to []int64) []int64 {
	switch v.kind {
	case 'r':
		to = append(to, v.i)
	case 'a':
		for _, x := range v.a {
			to = x.refs(to)
		}
	case 'd':
		for _, x := range v.d {
			to = x.refs(to)
		}
	}
	return to
}

// pdfLexer reads PDF tokens from d at p.
type pdfLexer struct {
	d []byte
	p int
}

func pdfSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func pdfDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *pdfLexer) skip() {
	for l.p < len(l.d) {
		c := l.d[l.p]
		switch {
		case pdfSpace(c):
			l.p++
		case c == '%':
			for l.p < len(l.d) && l.d[l.p] != '\r' && l.d[l.p] != '\n' {
				l.p++
			}
		default:
			return
		}
	}
}

// token returns the next token: a delimiter ("<<", ">>", "[", "]"), a
// name ("/Type"), "(" or "<" for a string (skipped), or a run of regular
// characters (a number or keyword); "" at the end.
func (l *pdfLexer) token() string {
	l.skip()
	if l.p >= len(l.d) {
		return ""
	}
	start := l.p
	switch c := l.d[l.p]; c {
	case '<':
		if l.p+1 < len(l.d) && l.d[l.p+1] == '<' {
			l.p += 2
			return "<<"
		}
		for l.p < len(l.d) && l.d[l.p] != '>' {
			l.p++
		}
		l.p++
		return "<"
	case '>':
		if l.p+1 < len(l.d) && l.d[l.p+1] == '>' {
			l.p += 2
			return ">>"
		}
		l.p++
		return ">"
	case '(':
		depth := 0
		for l.p < len(l.d) {
			switch l.d[l.p] {
			case '\\':
				l.p++
			case '(':
				depth++
			case ')':
				depth--
			}
			l.p++
			if depth == 0 {
				break
			}
		}
		return "("
	case '[', ']', '{', '}', ')':
		l.p++
		return string(c)
	case '/':
		l.p++
	}
	for l.p < len(l.d) && !pdfSpace(l.d[l.p]) && !pdfDelimiter(l.d[l.p]) {
		l.p++
	}
	if l.p == start { // a lone delimiter such as '%' cannot be here; step over anything else
		l.p++
	}
	return string(l.d[start:l.p])
}

// value reads one object; false when the bytes are no object.
func (l *pdfLexer) value(depth int) (pdfValue, bool) {
	if depth > 64 {
		return pdfValue{}, false
	}
	tok := l.token()
	switch {
	case tok == "":
		return pdfValue{}, false
	case tok == "<<":
		d := pdfValue{kind: 'd', d: map[string]pdfValue{}}
		for {
			key := l.token()
			if key == ">>" {
				return d, true
			}
			if len(key) < 1 || key[0] != '/' {
				return pdfValue{}, false
			}
			v, ok := l.value(depth + 1)
			if !ok {
				return pdfValue{}, false
			}
			d.d[key[1:]] = v
		}
	case tok == "[":
		a := pdfValue{kind: 'a'}
		for {
			save := l.p
			if l.token() == "]" {
				return a, true
			}
			l.p = save
			v, ok := l.value(depth + 1)
			if !ok {
				return pdfValue{}, false
			}
			a.a = append(a.a, v)
		}
	case tok[0] == '/':
		return pdfValue{kind: 'n', s: tok[1:]}, true
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		if tok == ">>" || tok == "]" {
			return pdfValue{}, false
		}
		return pdfValue{kind: 'o', s: tok}, true
	}
	// "n g R" is a reference.
	save := l.p
	if _, err := strconv.ParseInt(l.token(), 10, 64); err == nil && l.token() == "R" {
		return pdfValue{kind: 'r', i: n}, true
	}
	l.p = save
	return pdfValue{kind: 'i', i: n}, true
}
