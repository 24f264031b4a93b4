package indexer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Limits on attachment extraction: the file read, each member of a zip
// package, and the text kept.
const (
	maxFileBytes   = 64 << 20
	maxMemberBytes = 32 << 20
	maxTextBytes   = 512 << 10
)

// errUnsupported marks a file whose text we do not read (images, old
// binary Word and WPS files); it is no failure.
var errUnsupported = errors.New("indexer: no text extraction for this format")

// attachmentFormat names a file's format from its media type, or its
// name's extension when the media type says nothing useful.
func attachmentFormat(mediaType, name string) string {
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

// extractText returns the text of a file of the given format. A panic in
// a parser (malformed files) becomes an error.
func extractText(format string, data []byte) (text string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("indexer: %s parser failed: %v", format, v)
		}
	}()
	switch format {
	case "pdf":
		return pdfText(data)
	case "docx":
		return zipXMLText(data, func(name string) bool {
			return name == "word/document.xml" || strings.HasPrefix(name, "word/footnotes") || strings.HasPrefix(name, "word/endnotes")
		}, docxText)
	case "xlsx":
		return zipXMLText(data, func(name string) bool {
			return name == "xl/sharedStrings.xml" || (strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml"))
		}, xlsxText)
	case "ofd":
		return zipXMLText(data, func(name string) bool {
			return strings.Contains(name, "/Pages/") && strings.HasSuffix(name, "/Content.xml")
		}, ofdText)
	case "wps":
		// Newer WPS files are OOXML packages; the older binary ones are
		// left out like .doc.
		if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			return extractText("docx", data)
		}
	}
	return "", errUnsupported
}

// zipXMLText reads the members of a zip package that want() picks, in
// natural name order (page 2 before page 10), through read.
func zipXMLText(data []byte, want func(string) bool, read func(io.Reader, *strings.Builder) error) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("indexer: not a zip package: %w", err)
	}
	var members []*zip.File
	for _, f := range zr.File {
		if want(f.Name) {
			members = append(members, f)
		}
	}
	if len(members) == 0 {
		return "", errors.New("indexer: package has no text part")
	}
	sort.Slice(members, func(i, j int) bool { return naturalLess(members[i].Name, members[j].Name) })
	var b strings.Builder
	for _, f := range members {
		rc, err := f.Open()
		if err != nil {
			return "", fmt.Errorf("indexer: open %s: %w", f.Name, err)
		}
		err = read(io.LimitReader(rc, maxMemberBytes), &b)
		rc.Close()
		if err != nil {
			return "", fmt.Errorf("indexer: read %s: %w", f.Name, err)
		}
		if b.Len() >= maxTextBytes {
			break
		}
		b.WriteByte('\n')
	}
	return truncateBytes(b.String(), maxTextBytes), nil
}

// walkXML calls fn for every start element, end element and text of r.
func walkXML(r io.Reader, fn func(tok xml.Token)) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fn(tok)
	}
}

// docxText reads WordprocessingML: the text runs (w:t), with paragraph
// ends, tabs and breaks as white space.
func docxText(r io.Reader, b *strings.Builder) error {
	inText := false
	return walkXML(r, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText && b.Len() < maxTextBytes {
				b.Write(t)
			}
		}
	})
}

// xlsxText reads SpreadsheetML: shared strings, inline strings and cell
// values, a cell a tab and a row a line.
func xlsxText(r io.Reader, b *strings.Builder) error {
	inText, sharedRef := false, false
	return walkXML(r, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "v":
				inText = !sharedRef // an index into the shared strings is no text
			case "c":
				sharedRef = false
				for _, at := range t.Attr {
					if at.Name.Local == "t" && at.Value == "s" {
						sharedRef = true
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t", "v":
				inText = false
			case "c":
				b.WriteByte('\t')
			case "si", "row":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText && b.Len() < maxTextBytes {
				b.Write(t)
			}
		}
	})
}

// ofdText reads the page content of an OFD package (GB/T 33190): the text
// codes of its text objects.
func ofdText(r io.Reader, b *strings.Builder) error {
	inText := false
	return walkXML(r, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			inText = t.Name.Local == "TextCode"
		case xml.EndElement:
			if t.Name.Local == "TextCode" {
				inText = false
			}
			if t.Name.Local == "TextObject" {
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText && b.Len() < maxTextBytes {
				b.Write(t)
			}
		}
	})
}

func pdfText(data []byte) (string, error) {
	rd, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("indexer: read pdf: %w", err)
	}
	tr, err := rd.GetPlainText()
	if err != nil {
		return "", fmt.Errorf("indexer: pdf text: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(tr, maxTextBytes))
	if err != nil {
		return "", fmt.Errorf("indexer: pdf text: %w", err)
	}
	return truncateBytes(string(out), maxTextBytes), nil
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
