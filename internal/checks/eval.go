package checks

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// EvalCase is one labelled case of an evaluation set: a text and exactly
// the findings the rules under evaluation must report in it (by rule and
// offending text). A case without findings is clean: anything reported in
// it is a false alarm.
type EvalCase struct {
	Line     int           `json:"-"`
	Text     string        `json:"text"`
	Findings []EvalFinding `json:"findings"`
	Note     string        `json:"note,omitempty"`
}

// EvalFinding is an expected finding.
type EvalFinding struct {
	Rule string `json:"rule"`
	Text string `json:"text"`
}

// ReadEval reads an evaluation set in JSON Lines; blank lines and lines
// starting with # are skipped.
func ReadEval(r io.Reader) ([]EvalCase, error) {
	var out []EvalCase
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var c EvalCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("checks: eval line %d: %w", n, err)
		}
		c.Line = n
		out = append(out, c)
	}
	return out, sc.Err()
}

// Score is one rule's result on an evaluation set.
type Score struct {
	Rule                string
	TP, FP, FN          int
	Misses, FalseAlarms []string // "line N: text", for the report
}

// Precision is TP / (TP + FP); 1 when nothing was reported.
func (s Score) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is TP / (TP + FN); 1 when nothing was expected.
func (s Score) Recall() float64 {
	if s.TP+s.FN == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FN)
}

// Evaluate runs the rules over every case and scores each rule.
func Evaluate(cases []EvalCase, rules ...TextRule) map[string]*Score {
	scores := map[string]*Score{}
	for _, r := range rules {
		scores[r.ID()] = &Score{Rule: r.ID()}
	}
	for _, c := range cases {
		want := map[string]int{}
		for _, f := range c.Findings {
			if _, ok := scores[f.Rule]; ok {
				want[f.Rule+"\x00"+f.Text]++
			}
		}
		for _, r := range rules {
			for _, m := range r.Check(c.Text) {
				key := r.ID() + "\x00" + c.Text[m.Start:m.End]
				if want[key] > 0 {
					want[key]--
					scores[r.ID()].TP++
				} else {
					s := scores[r.ID()]
					s.FP++
					s.FalseAlarms = append(s.FalseAlarms, fmt.Sprintf("line %d: %q", c.Line, c.Text[m.Start:m.End]))
				}
			}
		}
		for key, n := range want {
			rule, text, _ := strings.Cut(key, "\x00")
			s := scores[rule]
			s.FN += n
			for range n {
				s.Misses = append(s.Misses, fmt.Sprintf("line %d: %q", c.Line, text))
			}
		}
	}
	return scores
}

// Report writes the scores as a table, worst first within each rule.
func Report(w io.Writer, scores map[string]*Score) {
	ids := make([]string, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Fprintf(w, "%-16s %6s %6s %4s %4s %4s\n", "rule", "prec", "recall", "TP", "FP", "FN")
	for _, id := range ids {
		s := scores[id]
		fmt.Fprintf(w, "%-16s %6.3f %6.3f %4d %4d %4d\n", id, s.Precision(), s.Recall(), s.TP, s.FP, s.FN)
	}
}
