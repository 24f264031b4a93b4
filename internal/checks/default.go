package checks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Settings are the office's choices for the gate; the zero value is the
// built-in set.
type Settings struct {
	// Typos, Names and Expressions replace the built-in lists (the
	// office's edited copies).
	Typos       *TypoList
	Names       *NameList
	Expressions *ExpressionList
	// IDKeep is how much of an ID number a mask keeps (default 6 + 4).
	IDKeep *MaskKeep
	// Required replaces what each column needs (column code → field keys).
	Required map[string][]string
	// Meta are further whole-entry rules, such as a trained column-fit
	// model's.
	Meta []MetaRule
}

// gateFile is DATA/checks/gate.json, the office's settings of the gate:
//
//	{"id_mask": {"head": 6, "tail": 4},
//	 "required": {"zcwj": ["doc_no", "written_at"], "gfxwj": ["validity", "doc_no"], "zcjd": ["related", "form"]}}
type gateFile struct {
	IDMask *struct {
		Head int `json:"head"`
		Tail int `json:"tail"`
	} `json:"id_mask"`
	Required map[string][]string `json:"required"`
}

// Default is the quality gate with every built-in rule.
func Default(s Settings) *Gate {
	typos, names, exprs := DefaultTypoList(), DefaultNameList(), DefaultExpressionList()
	if s.Typos != nil {
		typos = *s.Typos
	}
	if s.Names != nil {
		names = *s.Names
	}
	if s.Expressions != nil {
		exprs = *s.Expressions
	}
	id := NewIDRule()
	if s.IDKeep != nil {
		id = id.WithKeep(*s.IDKeep)
	}
	required := DefaultRequired()
	if s.Required != nil {
		required = s.Required
	}
	text := []TextRule{id, NewPhoneRule(), NewBankRule(), NewSecretRule(), NewTypoRule(typos),
		NewNameTitleRule(names), NewExpressionRule(exprs)}
	meta := append([]MetaRule{NewRequiredRule(required)}, s.Meta...)
	return New(text, meta)
}

// LoadSettings reads the office's edited lists from dir (typos.txt,
// names.txt, expressions.txt) and its settings (gate.json: the ID mask's
// width, what each column requires); what is not there keeps the
// built-in one. A bad line is an error naming the file and the line.
func LoadSettings(dir string) (Settings, error) {
	var s Settings
	load := func(name string, parse func(io.Reader) error) error {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("checks: %w", err)
		}
		defer f.Close()
		if err := parse(f); err != nil {
			return fmt.Errorf("checks: %s: %w", filepath.Join(dir, name), err)
		}
		return nil
	}
	err := errors.Join(
		load("typos.txt", func(r io.Reader) error {
			l, err := ParseTypoList(r)
			s.Typos = &l
			return err
		}),
		load("names.txt", func(r io.Reader) error {
			l, err := ParseNameList(r)
			s.Names = &l
			return err
		}),
		load("expressions.txt", func(r io.Reader) error {
			l, err := ParseExpressionList(r)
			s.Expressions = &l
			return err
		}),
		load("gate.json", func(r io.Reader) error {
			dec := json.NewDecoder(r)
			dec.DisallowUnknownFields()
			var g gateFile
			if err := dec.Decode(&g); err != nil {
				return fmt.Errorf("not the expected JSON: %w", err)
			}
			if g.IDMask != nil {
				if g.IDMask.Head < 0 || g.IDMask.Tail < 0 || g.IDMask.Head+g.IDMask.Tail > 14 {
					return fmt.Errorf("id_mask: head and tail must be ≥ 0 and together keep at most 14 of 18 digits")
				}
				s.IDKeep = &MaskKeep{Head: g.IDMask.Head, Tail: g.IDMask.Tail}
			}
			if g.Required != nil {
				if err := ValidateRequired(g.Required); err != nil {
					return err
				}
				s.Required = g.Required
			}
			return nil
		}),
	)
	return s, err
}
