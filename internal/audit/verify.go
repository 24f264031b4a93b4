package audit

import "fmt"

// Result is what a check of the hash chain found.
type Result struct {
	// Count is the number of records read; when the chain is broken, the
	// number read up to and including the first broken one.
	Count int64
	// HeadSeq and HeadHash are the head the records were checked against.
	HeadSeq  int64
	HeadHash string
	// Broken names the first broken record; nil when the chain is intact.
	Broken *Break
}

// OK reports whether the chain is intact.
func (r Result) OK() bool { return r.Broken == nil }

// Break is the first place where the chain does not hold.
type Break struct {
	// Seq is the sequence number of the first broken record: the one whose
	// content or link is wrong, or the first one missing.
	Seq    int64
	Reason string
}

// Verify reads the records next hands out, which must come in sequence
// order, and checks the chain they form against the head (the newest
// link as the store keeps it): sequence numbers run 1, 2, 3, … without a
// gap or a repeat, each record's hash is the hash of its content, each
// record's prev_hash is the hash of the one before (the first's is empty),
// and the last record is the head. It stops at the first break. The error
// is next's: a failure to read, not a broken chain.
//
// The head must have been read in the same snapshot as the records: a
// record after the head is then one added beside the chain, not one
// appended since.
func Verify(next func() (Record, bool, error), headSeq int64, headHash string) (Result, error) {
	res := Result{HeadSeq: headSeq, HeadHash: headHash}
	broken := func(seq int64, format string, args ...any) (Result, error) {
		res.Broken = &Break{Seq: seq, Reason: fmt.Sprintf(format, args...)}
		return res, nil
	}
	var last int64 // the sequence number of the record before
	prevHash := ""
	for {
		r, ok, err := next()
		if err != nil {
			return res, err
		}
		if !ok {
			break
		}
		res.Count++
		switch {
		case r.Seq > headSeq:
			return broken(r.Seq, "第 %d 条记录在链头（第 %d 条）之后，是链外插入的记录 (record %d lies beyond the chain's head, record %d: inserted)",
				r.Seq, headSeq, r.Seq, headSeq)
		case r.Seq <= last:
			return broken(r.Seq, "第 %d 条记录重复或顺序错乱，前一条已是第 %d 条 (record %d repeated or out of order after record %d: inserted)",
				r.Seq, last, r.Seq, last)
		case r.Seq > last+1:
			return broken(last+1, "%s (%s: deleted)", missing(last+1, r.Seq-1), missingEn(last+1, r.Seq-1))
		case r.Hash != ComputeHash(r):
			return broken(r.Seq, "第 %d 条记录的哈希与其内容不符，记录已被改动 (record %d: its hash does not match its content: edited)",
				r.Seq, r.Seq)
		case r.PrevHash != prevHash && last == 0:
			return broken(r.Seq, "第 %d 条记录是日志的第一条，却链接到一条之前的记录，之前的记录已被删除 (record %d is the first but links to a record before it: records deleted)",
				r.Seq, r.Seq)
		case r.PrevHash != prevHash:
			return broken(r.Seq, "第 %d 条记录的前一哈希与第 %d 条记录不符，第 %d 条已被改动或替换 (record %d: its prev_hash does not match record %d: that record was altered or replaced)",
				r.Seq, last, last, r.Seq, last)
		case r.Seq == headSeq && r.Hash != headHash:
			return broken(r.Seq, "第 %d 条记录与链头记载的哈希不符，链头或最新记录已被改动 (record %d does not match the head: the head or the newest record was altered)",
				r.Seq, r.Seq)
		}
		last, prevHash = r.Seq, r.Hash
	}
	if last < headSeq {
		return broken(last+1, "%s，链头记载到第 %d 条，最新的记录已被删除 (%s, the head names record %d: the newest records were removed)",
			missing(last+1, headSeq), headSeq, missingEn(last+1, headSeq), headSeq)
	}
	if headSeq == 0 && headHash != "" {
		return broken(1, "第 1 条记录缺失：日志为空，链头却记载了哈希，记录已被删除 (record 1 is missing: the log is empty but the head holds a hash: records deleted)")
	}
	return res, nil
}

// missing words records from to to (inclusive) being absent.
func missing(from, to int64) string {
	if from == to {
		return fmt.Sprintf("第 %d 条记录缺失", from)
	}
	return fmt.Sprintf("第 %d 至 %d 条记录缺失", from, to)
}

func missingEn(from, to int64) string {
	if from == to {
		return fmt.Sprintf("record %d is missing", from)
	}
	return fmt.Sprintf("records %d to %d are missing", from, to)
}

// Slice hands out records one by one, as Verify reads them.
func Slice(records []Record) func() (Record, bool, error) {
	i := 0
	return func() (Record, bool, error) {
		if i >= len(records) {
			return Record{}, false, nil
		}
		i++
		return records[i-1], true, nil
	}
}
