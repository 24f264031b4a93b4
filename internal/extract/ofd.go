package extract

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"path"
	"strings"
)

// ofdRead reads the page content of an OFD package (GB/T 33190): the text
// codes of its text objects, a page a part.
func ofdRead(ctx context.Context, data []byte, lim Limits, o *out) error {
	p, err := openPackage(data, "ofd", lim)
	if err != nil {
		return err
	}
	ms := p.members(func(name string) bool {
		return strings.Contains(name, "/Pages/") && strings.HasSuffix(name, "/Content.xml")
	})
	if len(ms) == 0 {
		return fmt.Errorf("extract: ofd package has no text part: %w", ErrMalformed)
	}
	var labels map[string]string
	if o.located {
		if labels, err = ofdPageLabels(ctx, p, ms); err != nil {
			return err
		}
	}
	for _, f := range ms {
		var page piece
		inText := false
		err := p.walk(ctx, f, func(tok xml.Token) error {
			switch t := tok.(type) {
			case xml.StartElement:
				inText = t.Name.Local == "TextCode"
			case xml.EndElement:
				if t.Name.Local == "TextCode" {
					inText = false
				}
				if t.Name.Local == "TextObject" {
					page.writeByte(o, '\n')
					return o.textByte('\n')
				}
			case xml.CharData:
				if inText {
					page.write(o, string(t))
					return o.text(string(t))
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := o.flush(labels[f.Name], &page); err != nil {
			return err
		}
		if err := o.textByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// ofdPageLabels numbers the pages of each document in the order its
// Document.xml lists them, or in name order where that list is missing or
// does not cover the pages found.
func ofdPageLabels(ctx context.Context, p *pkg, ms []*zip.File) (map[string]string, error) {
	var docs []string
	byDoc := map[string][]string{}
	for _, f := range ms {
		dir := f.Name[:strings.Index(f.Name, "/Pages/")]
		if _, ok := byDoc[dir]; !ok {
			docs = append(docs, dir)
		}
		byDoc[dir] = append(byDoc[dir], f.Name)
	}
	labels := map[string]string{}
	for d, dir := range docs {
		order, err := ofdPageOrder(ctx, p, dir)
		if err != nil {
			return nil, err
		}
		for _, name := range byDoc[dir] {
			if _, ok := order[name]; !ok {
				order = nil
				break
			}
		}
		for i, name := range byDoc[dir] {
			n := i + 1
			if order != nil {
				n = order[name]
			}
			labels[name] = fmt.Sprintf("第%d页", n)
			if len(docs) > 1 {
				labels[name] = fmt.Sprintf("文档%d %s", d+1, labels[name])
			}
		}
	}
	return labels, nil
}

// ofdPageOrder reads the page list of dir/Document.xml: each page's
// content member and its number.
func ofdPageOrder(ctx context.Context, p *pkg, dir string) (map[string]int, error) {
	f := p.member(dir + "/Document.xml")
	if f == nil {
		return nil, nil
	}
	order := map[string]int{}
	inPages := 0
	err := p.walk(ctx, f, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "Pages":
				inPages++
			case "Page":
				if loc := attr(t, "BaseLoc"); inPages > 0 && loc != "" {
					if strings.HasPrefix(loc, "/") {
						loc = path.Clean(strings.TrimPrefix(loc, "/"))
					} else {
						loc = path.Join(dir, loc)
					}
					if _, ok := order[loc]; !ok {
						order[loc] = len(order) + 1
					}
				}
			}
		case xml.EndElement:
			if t.Name.Local == "Pages" && inPages > 0 {
				inPages--
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrTooLarge) || ctx.Err() != nil {
			return nil, err
		}
		return nil, nil
	}
	return order, nil
}
