package opendata

import (
	"archive/zip"
	"fmt"
	"strconv"
	"strings"
)

// The parts of a SpreadsheetML package (ECMA-376 transitional) around the
// worksheets: the subset Excel, WPS and LibreOffice need to open a
// workbook of plain cells.

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg  = "http://schemas.openxmlformats.org/package/2006/relationships"
)

// Fixed cell styles (indexes into cellXfs); number styles follow them.
const (
	xlsxStyleBold = 1 // header cells
	xlsxStyleText = 2 // text cells: number format "@", so an edit keeps them text
	xlsxStyleNums = 3 // the first number style
)

// xlsxWorksheetStart opens a worksheet: the header row frozen at the top,
// cols columns of the given width.
func xlsxWorksheetStart(cols int, width int, selected bool) string {
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheetViews><sheetView`)
	if selected {
		b.WriteString(` tabSelected="1"`)
	}
	b.WriteString(` workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>` +
		`<sheetFormatPr defaultRowHeight="15"/>`)
	if cols > 0 {
		fmt.Fprintf(&b, `<cols><col min="1" max="%d" width="%d" customWidth="1"/></cols>`, cols, width)
	}
	b.WriteString(`<sheetData>`)
	return b.String()
}

const xlsxWorksheetEnd = `</sheetData></worksheet>`

// writeXLSXPart adds one part to the package.
func writeXLSXPart(zw *zip.Writer, name, content string) error {
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write([]byte(content))
	}
	if err != nil {
		return fmt.Errorf("xlsx: %s: %w", name, err)
	}
	return nil
}

// writeXLSXPackage writes the parts that name the worksheets, once they
// are all written: workbook, its relationships, styles (numberDecimals
// lists the decimal places of the number styles in order of their
// indexes), the package relationships and the content types.
func writeXLSXPackage(zw *zip.Writer, sheetNames []string, numberDecimals []int) error {
	var wb, rels, types []byte
	wb = append(wb, xmlHeader+`<workbook xmlns="`+nsMain+`" xmlns:r="`+nsRel+`">`+
		`<bookViews><workbookView activeTab="0"/></bookViews><sheets>`...)
	rels = append(rels, xmlHeader+`<Relationships xmlns="`+nsPkg+`">`...)
	types = append(types, xmlHeader+`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`+
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>`...)
	for i, name := range sheetNames {
		n := strconv.Itoa(i + 1)
		wb = append(wb, `<sheet name="`...)
		wb = appendXMLAttr(wb, name)
		wb = append(wb, `" sheetId="`+n+`" r:id="rId`+n+`"/>`...)
		rels = append(rels, `<Relationship Id="rId`+n+`" Type="`+nsRel+`/worksheet" Target="worksheets/sheet`+n+`.xml"/>`...)
		types = append(types, `<Override PartName="/xl/worksheets/sheet`+n+`.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`...)
	}
	wb = append(wb, `</sheets></workbook>`...)
	n := strconv.Itoa(len(sheetNames) + 1)
	rels = append(rels, `<Relationship Id="rId`+n+`" Type="`+nsRel+`/styles" Target="styles.xml"/></Relationships>`...)
	types = append(types, `</Types>`...)

	parts := []struct{ name, content string }{
		{"xl/workbook.xml", string(wb)},
		{"xl/_rels/workbook.xml.rels", string(rels)},
		{"xl/styles.xml", xlsxStyles(numberDecimals)},
		{"docProps/app.xml", xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>gongkai</Application></Properties>`},
		{"_rels/.rels", xmlHeader + `<Relationships xmlns="` + nsPkg + `">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/>` +
			`<Relationship Id="rId2" Type="` + nsRel + `/extended-properties" Target="docProps/app.xml"/></Relationships>`},
		{"[Content_Types].xml", string(types)},
	}
	for _, p := range parts {
		if err := writeXLSXPart(zw, p.name, p.content); err != nil {
			return err
		}
	}
	return nil
}

// xlsxStyles is the style sheet: a regular and a bold font, the two fills
// every workbook has, no border; cell formats General, bold, text, then
// one number format per entry of numberDecimals ("0", "0.0", "0.00", …).
func xlsxStyles(numberDecimals []int) string {
	var b strings.Builder
	b.WriteString(xmlHeader + `<styleSheet xmlns="` + nsMain + `">`)
	var custom []int
	for _, d := range numberDecimals {
		if d > 0 {
			custom = append(custom, d)
		}
	}
	if len(custom) > 0 {
		fmt.Fprintf(&b, `<numFmts count="%d">`, len(custom))
		for _, d := range custom {
			fmt.Fprintf(&b, `<numFmt numFmtId="%d" formatCode="0.%s"/>`, xlsxNumFmtID(d), strings.Repeat("0", d))
		}
		b.WriteString(`</numFmts>`)
	}
	b.WriteString(`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
		`<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	fmt.Fprintf(&b, `<cellXfs count="%d">`, xlsxStyleNums+len(numberDecimals))
	b.WriteString(`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
		`<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`)
	for _, d := range numberDecimals {
		fmt.Fprintf(&b, `<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`, xlsxNumFmtID(d))
	}
	b.WriteString(`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`)
	return b.String()
}

// xlsxNumFmtID is the number format with d decimal places: the built-in
// "0" for none, custom ones (ids from 164) otherwise.
func xlsxNumFmtID(d int) int {
	if d == 0 {
		return 1
	}
	return 163 + d
}
