package checks

// Settings are the office's choices for the gate; the zero value is the
// built-in set.
type Settings struct {
	// Typos replaces the built-in list of confusions (the office's copy).
	Typos *TypoList
	// Meta are further whole-entry rules, such as a trained column-fit
	// model's.
	Meta []MetaRule
}

// Default is the quality gate with every built-in rule.
func Default(s Settings) *Gate {
	typos := DefaultTypoList()
	if s.Typos != nil {
		typos = *s.Typos
	}
	text := []TextRule{NewIDRule(), NewPhoneRule(), NewBankRule(), NewSecretRule(), NewTypoRule(typos)}
	return New(text, s.Meta)
}
