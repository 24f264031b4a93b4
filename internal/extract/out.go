package extract

import (
	"errors"
	"strings"
)

// errFull stops a walk once the output limit is reached.
var errFull = errors.New("extract: output full")

// out is what a walk writes to: the flat text the index takes, the
// located parts the gate takes, or both; each within max bytes. The
// readers write to both through the same calls, and only what was asked
// for is kept.
type out struct {
	max int

	flat bool
	b    strings.Builder

	located bool
	parts   []Part
	size    int
}

// text adds to the flat text. Like the index always did, a write is taken
// whole while the text is under the limit (Text cuts it at the end), and
// the first write past it ends the walk.
func (o *out) text(s string) error {
	if !o.flat || s == "" {
		return nil
	}
	if o.b.Len() >= o.max {
		return errFull
	}
	o.b.WriteString(s)
	return nil
}

func (o *out) textByte(c byte) error {
	if !o.flat {
		return nil
	}
	if o.b.Len() >= o.max {
		return errFull
	}
	o.b.WriteByte(c)
	return nil
}

// part adds a located piece, trimmed; one without text is dropped. The
// piece that crosses the limit is cut to fit and ends the walk.
func (o *out) part(label, text string) error {
	if !o.located {
		return nil
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if o.size+len(text) > o.max {
		text = truncateBytes(text, o.max-o.size)
		if text != "" {
			o.parts = append(o.parts, Part{Label: label, Text: text})
			o.size += len(text)
		}
		return errFull
	}
	o.parts = append(o.parts, Part{Label: label, Text: text})
	o.size += len(text)
	return nil
}

// piece gathers the text of one part while a walk is inside it; it holds
// no more than the output limit, since more could never be returned.
type piece struct {
	b    strings.Builder
	over bool // text was dropped for want of room
}

func (p *piece) write(o *out, s string) {
	if !o.located {
		return
	}
	room := o.max - p.b.Len()
	if len(s) > room {
		s = truncateBytes(s, max(room, 0))
		p.over = true
	}
	p.b.WriteString(s)
}

func (p *piece) writeByte(o *out, c byte) {
	if !o.located {
		return
	}
	if p.b.Len() >= o.max {
		p.over = true
		return
	}
	p.b.WriteByte(c)
}

func (p *piece) reset() {
	p.b.Reset()
	p.over = false
}

// flush makes the gathered text a part (see part) and empties the piece.
func (o *out) flush(label string, p *piece) error {
	s, over := p.b.String(), p.over
	p.reset()
	if err := o.part(label, s); err != nil {
		return err
	}
	if over {
		return errFull
	}
	return nil
}
