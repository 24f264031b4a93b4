package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gongkai/internal/audit"
	"gongkai/internal/config"
	"gongkai/internal/store"
)

const auditAbout = `Works on the audit log (审计日志): who did what to which object, when, from
where and with what outcome. Each record holds the hash of the record before
it, and the store keeps the newest hash as the chain's head.

  verify  re-checks the whole chain: every record's hash against its
          content, every link against the record before, the sequence for
          gaps and repeats, and the head against the newest record. It
          names the first broken record and exits 1 when the chain is
          broken. It prints the head as SEQ:HASH, worth writing down
          elsewhere (e.g. daily in the operations log): a chain rewritten
          from some record on, head included, passes the check by itself,
          but not --anchor SEQ:HASH with a head written down before it
          (record SEQ must still have HASH).
  export  writes every record, oldest first, as CSV (UTF-8 with a BOM, for
          Excel and WPS) or XLSX, to --out FILE or standard output.

Both read a running server's store safely.`

func runAudit(ctx context.Context, e *env, args []string) error {
	return runActions(ctx, e, args, "audit", "gongkai audit verify [--format text|json] [--anchor SEQ:HASH] | export --format csv|xlsx [--out FILE]   [--data DIR | --db URL]", auditAbout, []action{{"verify", auditVerify}, {"export", auditExport}})
}

// verifyReport is the JSON form of a check.
type verifyReport struct {
	Intact   bool   `json:"intact"`
	Records  int64  `json:"records"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	Broken   *struct {
		Seq    int64  `json:"seq"`
		Reason string `json:"reason"`
	} `json:"broken"`
}

func auditVerify(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "audit verify", "gongkai audit verify [--format text|json] [--anchor SEQ:HASH] [--data DIR | --db URL]", auditAbout)
	cfg.Bind(fs, false)
	format := fs.String("format", "text", "text or json")
	var anchors []anchor
	fs.Func("anchor", "SEQ:HASH, a head written down before (repeatable): record SEQ must still have HASH", func(v string) error {
		a, err := parseAnchor(v)
		anchors = append(anchors, a)
		return err
	})
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := b.store.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	for _, a := range anchors {
		if !res.OK() {
			break
		}
		r, err := b.store.AuditRecord(ctx, a.seq)
		switch {
		case errors.Is(err, store.ErrNotFound):
			res.Broken = &audit.Break{Seq: a.seq, Reason: fmt.Sprintf("第 %d 条记录缺失，而此前记下的链头有这一条，日志已被截短 (record %d, in a head written down before, is missing: the log was cut short)", a.seq, a.seq)}
		case err != nil:
			return err
		case r.Hash != a.hash:
			res.Broken = &audit.Break{Seq: a.seq, Reason: fmt.Sprintf("第 %d 条记录的哈希与此前记下的链头不符，日志自此条或更早已被改写 (record %d does not match the head written down before: the log was rewritten from there or earlier)", a.seq, a.seq)}
		}
	}
	if *format == "json" {
		rep := verifyReport{Intact: res.OK(), Records: res.Count, HeadSeq: res.HeadSeq, HeadHash: res.HeadHash}
		if res.Broken != nil {
			rep.Broken = &struct {
				Seq    int64  `json:"seq"`
				Reason string `json:"reason"`
			}{res.Broken.Seq, res.Broken.Reason}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		if res.OK() {
			fmt.Fprintf(e.stdout, "审计日志完整：%d 条记录，哈希链无断裂 (audit log intact: %d records)\n", res.Count, res.Count)
		} else {
			fmt.Fprintf(e.stdout, "审计日志已被改动：%s\n", res.Broken.Reason)
		}
		if res.HeadSeq == 0 {
			fmt.Fprintln(e.stdout, "链头：空日志 (head: empty log)")
		} else {
			fmt.Fprintf(e.stdout, "链头 (head)：%d:%s\n", res.HeadSeq, res.HeadHash)
		}
	}
	if !res.OK() {
		return exitError{1}
	}
	return nil
}

// anchor is a head written down before: record seq had this hash.
type anchor struct {
	seq  int64
	hash string
}

func parseAnchor(v string) (anchor, error) {
	seqText, hash, ok := strings.Cut(strings.TrimSpace(v), ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if !ok || err != nil || seq <= 0 || len(hash) != 64 || strings.Trim(strings.ToLower(hash), "0123456789abcdef") != "" {
		return anchor{}, fmt.Errorf("want SEQ:HASH, a record's number and its 64-digit hex hash as audit verify prints them")
	}
	return anchor{seq, strings.ToLower(hash)}, nil
}

func auditExport(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "audit export", "gongkai audit export --format csv|xlsx [--out FILE] [--data DIR | --db URL]", auditAbout)
	cfg.Bind(fs, false)
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("out", "", "the file to write (default: standard output)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	var write func(io.Writer, iter.Seq2[audit.Record, error]) error
	switch *format {
	case "csv":
		write = audit.WriteCSV
	case "xlsx":
		write = audit.WriteXLSX
	default:
		return fmt.Errorf("%w: --format must be csv or xlsx", errUsage)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	var n int64
	records := func(yield func(audit.Record, error) bool) {
		for r, err := range b.store.AuditLog(ctx) {
			if err == nil {
				n++
			}
			if !yield(r, err) {
				return
			}
		}
	}
	if *out == "" {
		w := bufio.NewWriter(e.stdout)
		if err := write(w, records); err != nil {
			return err
		}
		return w.Flush()
	}
	// A temporary name beside the file, renamed when complete: a failed
	// export leaves no half file behind.
	f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriter(f)
	err = write(w, records)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o640)
	}
	if err == nil {
		err = os.Rename(f.Name(), *out)
	}
	if err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	fmt.Fprintf(e.stderr, "已导出 %d 条审计记录到 %s (%d records written)\n", n, *out, n)
	return nil
}
