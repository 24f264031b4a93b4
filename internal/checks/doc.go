// Package checks is the quality gate ("政治关、法律关、保密关、文字关"): rules
// that read an entry's text before it goes public and report findings —
// personal information, confidentiality markings, typos common in official
// writing, names and expressions, required fields, column fit. Rules are
// pure functions of text (and, for column fit, of a trained model); the
// gate runs them over the title, summary, body and attachments' text and
// says where each finding is, in characters of the plain text.
package checks
