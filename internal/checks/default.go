package checks

import (
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
	// Meta are further whole-entry rules, such as a trained column-fit
	// model's.
	Meta []MetaRule
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
	text := []TextRule{NewIDRule(), NewPhoneRule(), NewBankRule(), NewSecretRule(), NewTypoRule(typos),
		NewNameTitleRule(names), NewExpressionRule(exprs)}
	meta := append([]MetaRule{NewRequiredRule(DefaultRequired())}, s.Meta...)
	return New(text, meta)
}

// LoadSettings reads the office's edited lists from dir (typos.txt,
// names.txt, expressions.txt); a list that is not there keeps the
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
	)
	return s, err
}
