package checks

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// SecretRule finds confidentiality markings (密级标志) and internal-use
// notices: what a document carries when it must not go public.
//
// The words of a marking are everyday words too — 秘密 in 商业秘密 and
// 秘密投票, 机密 in 机密性, 国家秘密 in every text about secrecy work — so
// the rule reads them by a small grammar of where they stand:
//
//   - strong forms are markings wherever they are: a level with a star or a
//     period (绝密★, 机密★1年, 秘密 6个月, 绝 密 ★ 启用前), 内部资料 with
//     注意保存, 仅供内部参考 / 参阅 / 交流, 仅供领导参阅, 保密期限：…, and a
//     ban on passing it on at the end of a clause (不得外传。 but not
//     不得外传涉密文件);
//   - weak forms — a bare level (机密, 机　密, 秘密级), 涉密, 国家秘密,
//     内部资料, 内部文件, (仅供)内部使用, 内部参考 — are markings only
//     in a marking's place: alone at the head of a line, alone in
//     brackets ((涉密), 【内部文件】), after the field label 密级：, as
//     what a document says of itself (本文件属内部资料。此件涉密，), or
//     next to another marking (内部使用，不得外传);
//   - neither is a marking when negated (本文件不涉密, 非涉密), quoted (标志
//     为“机密★”), a title (电影《秘密》) or a form's field name (涉密：否).
//
// So 保守国家秘密, 保密工作会议, 保密法, 涉密人员管理办法, 信息系统的机密性,
// 商业秘密 and 个人隐私 are not found. 秘密投票 (a secret ballot, as in
// 采取无记名投票方式秘密写票) is an ordinary word and is not found either:
// 秘密 glued to the word after it is never a marking. Nor is 工作秘密, a
// category of its own that this rule leaves to the reviewer.
type SecretRule struct{}

// NewSecretRule returns the secret_mark rule.
func NewSecretRule() *SecretRule { return &SecretRule{} }

// ID implements TextRule.
func (*SecretRule) ID() string { return "secret_mark" }

var _ TextRule = (*SecretRule)(nil)

// secretTok is one marking word found in a text.
type secretTok struct {
	start, end int  // bytes
	strong     bool // a marking wherever it stands
	flagged    bool // decided to be a marking
}

// Check implements TextRule.
func (*SecretRule) Check(text string) []Match {
	toks := secretTokens(text)
	if len(toks) == 0 {
		return nil
	}
	for i := range toks {
		t := &toks[i]
		t.flagged = (t.strong || secretPlaced(text, t.start, t.end)) && !secretQuoted(text, t.start, t.end)
	}
	// A weak form next to a marking is part of it (内部使用，不得外传):
	// spread the decision to neighbours that stand free on their left.
	for changed := true; changed; {
		changed = false
		for i := 0; i+1 < len(toks); i++ {
			a, b := &toks[i], &toks[i+1]
			if a.flagged == b.flagged || !secretAdjacent(text[a.end:b.start]) {
				continue
			}
			w := a // the one not yet flagged
			if a.flagged {
				w = b
			}
			if secretFreeLeft(text, w.start) {
				w.flagged, changed = true, true
			}
		}
	}
	var out []Match
	for i := 0; i < len(toks); i++ {
		if !toks[i].flagged {
			continue
		}
		start, end := toks[i].start, toks[i].end
		for i+1 < len(toks) && toks[i+1].flagged && (toks[i+1].start <= end || secretAdjacent(text[end:toks[i+1].start])) {
			i++
			end = max(end, toks[i].end)
		}
		out = append(out, Match{Start: start, End: end, Severity: Blocking,
			Message:    "含密级标志或内部资料标志，涉密信息和内部资料不得公开",
			Suggestion: "请确认该信息可以公开，并删除密级标志"})
	}
	return out
}

// secretTokens finds every marking word of text, in order, without
// overlaps (the longer form wins: 国家秘密 over 秘密).
func secretTokens(text string) []secretTok {
	var toks []secretTok
	for _, anchor := range [...]string{"密", "内部", "外传", "仅供领导"} {
		for off := 0; ; {
			k := strings.Index(text[off:], anchor)
			if k < 0 {
				break
			}
			p := off + k
			off = p + len(anchor)
			var t secretTok
			var ok bool
			switch anchor {
			case "密":
				t, ok = secretAtMi(text, p)
			case "内部":
				t, ok = secretAtNeibu(text, p)
			case "外传":
				t, ok = secretAtWaichuan(text, p)
			case "仅供领导":
				// 仅供领导参阅: the notice on internal briefings.
				for _, w := range [...]string{"参阅", "参考", "阅示"} {
					if strings.HasPrefix(text[off:], w) {
						t, ok = secretTok{start: p, end: off + len(w), strong: true}, true
						break
					}
				}
			}
			if ok {
				toks = append(toks, t)
			}
		}
	}
	sort.Slice(toks, func(i, j int) bool {
		if toks[i].start != toks[j].start {
			return toks[i].start < toks[j].start
		}
		return toks[i].end > toks[j].end
	})
	// Drop tokens inside an earlier one.
	kept := toks[:0]
	for _, t := range toks {
		if n := len(kept); n > 0 && t.start < kept[n-1].end {
			if t.end > kept[n-1].end {
				kept[n-1].end = t.end
				kept[n-1].strong = kept[n-1].strong || t.strong
			}
			continue
		}
		kept = append(kept, t)
	}
	return kept
}

// secretAtMi reads the marking word around the 密 at text[p]: a level
// (绝密, 机 密, 秘密级, with a star or a period), 涉密, 国家秘密, or the
// field 保密期限：….
func secretAtMi(text string, p int) (secretTok, bool) {
	end := p + len("密")
	before := text[:p]
	switch {
	case strings.HasSuffix(before, "涉"):
		t := secretTok{start: p - len("涉"), end: end}
		return secretStar(text, t), true
	case strings.HasSuffix(before, "保") && strings.HasPrefix(text[end:], "期限"):
		i := secretSkipBlank(text, end+len("期限"))
		r, size := secretRuneAt(text, i)
		if r != '：' && r != ':' {
			return secretTok{}, false
		}
		if e := secretPeriod(text, i+size); e > 0 {
			return secretTok{start: p - len("保"), end: e, strong: true}, true
		}
		return secretTok{}, false
	}
	// A level: 绝, 机 or 秘 right before, or with up to three blanks between
	// (绝 密, 机　密 — spaced out on a document's first line).
	q, blanks := p, 0
	for blanks < 3 {
		r, size := utf8.DecodeLastRuneInString(text[:q])
		if !secretBlank(r) {
			break
		}
		q -= size
		blanks++
	}
	r, size := utf8.DecodeLastRuneInString(text[:q])
	if r != '绝' && r != '机' && r != '秘' {
		return secretTok{}, false
	}
	t := secretTok{start: q - size, end: end}
	state := r == '秘' && blanks == 0 && strings.HasSuffix(text[:t.start], "国家")
	if state {
		t.start -= len("国家")
	} else if strings.HasPrefix(text[end:], "级") {
		t.end += len("级")
	}
	t = secretStar(text, t)
	if !t.strong && !state {
		// A level with its period and no star: 秘密 6个月, 机密级 10年.
		if e := secretPeriod(text, t.end); e > 0 {
			t.end, t.strong = e, true
		}
	}
	return t, true
}

// secretStar extends a marking word by a star and the period after it
// (★, ☆; * or ＊ only with a period), which makes it strong.
func secretStar(text string, t secretTok) secretTok {
	i := secretSkipBlank(text, t.end)
	r, size := secretRuneAt(text, i)
	switch r {
	case '★', '☆':
		t.end, t.strong = i+size, true
		if e := secretPeriod(text, t.end); e > 0 {
			t.end = e
		}
	case '*', '＊':
		if e := secretPeriod(text, i+size); e > 0 {
			t.end, t.strong = e, true
		}
	}
	return t
}

// secretPeriodWords are the periods a marking gives in words.
var secretPeriodWords = [...]string{"长期", "启用前", "公布前", "发布前", "开考前", "考试结束前", "解密前"}

// secretPeriod reads a confidentiality period at text[i] (after blanks):
// 1年, 6个月, 十年, 长期, 启用前. It returns the byte after it, or -1.
func secretPeriod(text string, i int) int {
	i = secretSkipBlank(text, i)
	for _, w := range secretPeriodWords {
		if strings.HasPrefix(text[i:], w) {
			return i + len(w)
		}
	}
	j := i
	for j < len(text) {
		if c, size := piiAlnum(text, j); size > 0 && c >= '0' && c <= '9' {
			j += size
			continue
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if !strings.ContainsRune("零一二三四五六七八九十两", r) {
			break
		}
		j += size
	}
	if j == i {
		return -1
	}
	j = secretSkipBlank(text, j)
	for _, u := range [...]string{"个月", "年", "月"} {
		if strings.HasPrefix(text[j:], u) {
			return j + len(u)
		}
	}
	return -1
}

// secretAtNeibu reads 内部资料, 内部文件, 内部使用, 内部参考 or 内部交流
// at text[p], with 仅供 / 仅限 / 供 before it and 注意保存 after 内部资料.
func secretAtNeibu(text string, p int) (secretTok, bool) {
	rest := text[p+len("内部"):]
	var word string
	for _, w := range [...]string{"资料", "文件", "使用", "参考", "参阅", "交流"} {
		if strings.HasPrefix(rest, w) {
			word = w
			break
		}
	}
	if word == "" {
		return secretTok{}, false
	}
	t := secretTok{start: p, end: p + len("内部") + len(word)}
	for _, pre := range [...]string{"仅供", "仅限", "只供", "限", "供"} {
		if word == "资料" || word == "文件" {
			break
		}
		if strings.HasSuffix(text[:p], pre) {
			t.start -= len(pre)
			// Only for internal reference is a marking wherever it stands;
			// 仅供内部使用 may be said of a car park.
			t.strong = word == "参考" || word == "参阅" || word == "交流"
			break
		}
	}
	if word == "资料" {
		i, open := t.end, false
		for {
			r, size := secretRuneAt(text, i)
			if r == '（' || r == '(' {
				open = true
			} else if !secretBlank(r) && !strings.ContainsRune("，,、·：:", r) {
				break
			}
			i += size
		}
		for _, w := range [...]string{"注意保存", "妥善保存", "妥善保管", "注意保密", "请勿外传"} {
			if strings.HasPrefix(text[i:], w) {
				t.end, t.strong = i+len(w), true
				// 内部资料（注意保存）: the bracket closes the marking.
				if r, size := secretRuneAt(text, t.end); open && (r == '）' || r == ')') {
					t.end += size
				}
				break
			}
		}
	}
	return secretStar(text, t), true
}

// secretAtWaichuan reads a ban on passing a document on (不得外传, 严禁外传
// …) at text[p]: a marking when it ends its clause.
func secretAtWaichuan(text string, p int) (secretTok, bool) {
	for _, ban := range [...]string{"不得", "严禁", "请勿", "禁止", "切勿", "不准", "不可"} {
		if !strings.HasSuffix(text[:p], ban) {
			continue
		}
		end := p + len("外传")
		if !secretEndsClause(text, end, true) {
			return secretTok{}, false
		}
		return secretTok{start: p - len(ban), end: end, strong: true}, true
	}
	return secretTok{}, false
}

// secretPlaced reports whether a weak marking word at text[s:e] stands in
// a marking's place.
func secretPlaced(text string, s, e int) bool {
	// A negation (不涉密, 非涉密, 不属于国家秘密) needs no rule of its own:
	// the word before the form takes it out of every place below.
	before := text[:s]
	prev := piiRuneBefore(text, s)
	// After the field label: 密级：秘密.
	lbl := strings.TrimRight(before, " \t\u3000\u00a0")
	for _, l := range [...]string{"密级：", "密级:", "密 级：", "密　级：", "保密等级：", "保密等级:"} {
		if strings.HasSuffix(lbl, l) {
			return true
		}
	}
	if len(lbl) < len(before) && strings.HasSuffix(lbl, "密级") && // 密级 秘密, but not 绝密级 国家秘密
		!strings.ContainsRune("绝机秘", piiRuneBefore(lbl, len(lbl)-len("密级"))) {
		return true
	}
	// Alone in brackets: (涉密), 【内部文件】.
	// (Not in 《》: 电影《秘密》 is a title.)
	if strings.ContainsRune("(（[【〔［「『", prev) && strings.ContainsRune(")）]】〕］」』", piiRuneAfter(text, e)) {
		return true
	}
	// Alone at the head of a line — but not a form's field name (涉密：否).
	if secretLineStart(text, s) && secretEndsClause(text, e, false) && !strings.ContainsRune("：:", piiRuneAfter(text, e)) {
		return true
	}
	// What a document says of itself: 本文件属内部资料。此件涉密，
	subj := before
	for _, v := range [...]string{"属于", "列为", "定为", "标为", "属", "为", "系", "是"} {
		if strings.HasSuffix(subj, v) {
			subj = strings.TrimSuffix(subj, v)
			break
		}
	}
	for _, d := range [...]string{"本文件", "此文件", "该文件", "本件", "此件", "该件", "本材料", "此材料",
		"该材料", "本资料", "此资料", "本页", "本文", "此文", "本表", "此表", "本通知", "此通知",
		"本报告", "此报告", "本方案", "本纪要", "本简报", "本刊", "本期", "本汇编", "本附件", "此附件"} {
		if strings.HasSuffix(subj, d) {
			return secretEndsClause(text, e, true)
		}
	}
	return false
}

// secretQuoted reports whether a marking word is quoted — a text about
// markings naming one (标志为“机密★”), not a marking.
func secretQuoted(text string, s, e int) bool {
	return strings.ContainsRune("“‘\"'「", piiRuneBefore(text, s)) && strings.ContainsRune("”’\"'」", piiRuneAfter(text, e))
}

// secretLineStart reports whether only blanks and opening brackets stand
// between the start of the line and text[s].
func secretLineStart(text string, s int) bool {
	for s > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:s])
		switch {
		case r == '\n' || r == '\r':
			return true
		case secretBlank(r) || strings.ContainsRune("(（[【〔［", r):
			s -= size
		default:
			return false
		}
	}
	return true
}

// secretEndsClause reports whether a marking word ending at text[e] ends
// its clause: the end of the text or line, a blank, a star, a closing
// bracket or a punctuation mark. A list comma (、) ends it only when
// listComma is set: 绝密、机密、秘密 at a line's head is a list of levels.
func secretEndsClause(text string, e int, listComma bool) bool {
	r := piiRuneAfter(text, e)
	switch {
	case r < 0, r == '\n', r == '\r', secretBlank(r):
		return true
	case r == '、':
		return listComma
	}
	return strings.ContainsRune("，,。.；;：:！!？?★☆)）]】〕］>＞》」』\"”", r)
}

// secretFreeLeft reports whether the word at text[s] is not glued to the
// word before it (商业秘密，不得外传 does not make 秘密 a marking).
func secretFreeLeft(text string, s int) bool {
	r := piiRuneBefore(text, s)
	return r < 0 || r == '\n' || r == '\r' || secretBlank(r) || strings.ContainsRune("，,。；;：:、(（[【〔［", r)
}

// secretAdjacent reports whether only blanks and clause marks stand
// between two marking words on one line.
func secretAdjacent(gap string) bool {
	for _, r := range gap {
		if !secretBlank(r) && !strings.ContainsRune("，,、·；;：:", r) {
			return false
		}
	}
	return true
}

func secretBlank(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u3000' || r == '\u00a0'
}

func secretRuneAt(text string, i int) (rune, int) {
	if i >= len(text) {
		return -1, 0
	}
	return utf8.DecodeRuneInString(text[i:])
}

func secretSkipBlank(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !secretBlank(r) {
			break
		}
		i += size
	}
	return i
}
