package portal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
	"gongkai/internal/ingest"
	"gongkai/internal/store"
)

// Limits of a dataset publish.
const (
	maxDatasetCSV   = 512 << 20 // bytes of the csv part
	maxDatasetMeta  = 1 << 20   // bytes of the metadata part
	publishDeadline = 30 * time.Minute
)

// publishedBody is the answer to a publish that went through.
type publishedBody struct {
	Dataset string `json:"dataset"`
	Result  string `json:"result"`
	Version int    `json:"version"`
	Rows    int64  `json:"rows"`
}

// badRow is one bad cell (or row) as the API reports it.
type badRow struct {
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

type badRowsBody struct {
	Error struct {
		Code     string   `json:"code"`
		Message  string   `json:"message"`
		BadRows  []badRow `json:"bad_rows"`
		RowCount int      `json:"bad_row_count"`
	} `json:"error"`
}

// upload is a publish request read off the wire: the metadata and the CSV,
// spooled to a temporary file.
type upload struct {
	in      catalog.DatasetInput
	hasMeta bool
	csvPath string
	csvName string
}

func (u *upload) remove() {
	if u.csvPath != "" {
		os.Remove(u.csvPath)
	}
}

// errForbidden ends reading a request whose metadata names a unit the
// caller may not publish for.
var errForbidden = errors.New("forbidden")

// statusError is a request that cannot be read, with its HTTP answer.
type statusError struct {
	status int
	code   string
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// publishDataset is PUT /api/v1/console/datasets/{id}: multipart/form-data
// with a part "metadata" (the fields of an import line, without csv) and a
// part "csv". The caller may publish for the dataset's unit, and for its
// present unit too when it moves.
func (s *Server) publishDataset(w http.ResponseWriter, r *http.Request, c *console, id string) {
	ctx := r.Context()
	p, _ := principalOf(ctx)
	if !catalog.ValidDatasetID(id) {
		s.fail(w, r, catalog.FieldErrors{{Field: "id", Reason: "id 只能由字母、数字、. _ - 组成，最长 64 个字符 (must match [A-Za-z0-9._-]{1,64})"}})
		return
	}
	if !auth.MayPublishDatasets(p) {
		s.refuse(w, r, p, audit.Record{ObjectKind: "dataset", ObjectID: id},
			fmt.Sprintf("角色 %s 不能发布数据集 (this role does not publish datasets)", p.Role), slog.String("dataset", id))
		return
	}
	// Refuse before reading the upload when the dataset belongs to a unit
	// the caller does not publish for.
	current, err := s.Store.Dataset(ctx, id)
	switch {
	case err == nil:
		if !auth.CanPublishDataset(p, current.Unit) {
			s.refuse(w, r, p, audit.Record{ObjectKind: "dataset", ObjectID: id, ObjectUnit: current.Unit},
				"无权发布该单位的数据集 (not allowed for the dataset's unit)", slog.String("dataset", id), slog.String("dataset_unit", current.Unit))
			return
		}
	case errors.Is(err, store.ErrNotFound):
	default:
		s.fail(w, r, err)
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		httpjson.Error(w, http.StatusUnsupportedMediaType, "unsupported_media_type",
			"请以 multipart/form-data 提交，包含 metadata（JSON）与 csv 两部分 (send multipart/form-data with the parts metadata and csv)")
		return
	}
	// A large CSV takes longer than the server's usual read and write
	// timeouts, which are meant for the public pages.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(publishDeadline))
	_ = rc.SetWriteDeadline(time.Now().Add(publishDeadline))
	r.Body = http.MaxBytesReader(w, r.Body, c.maxCSV+maxDatasetMeta+64<<10)

	up, err := s.readUpload(r, c, id, func(unit string) bool { return auth.CanPublishDataset(p, unit) })
	defer up.remove()
	var se *statusError
	switch {
	case errors.Is(err, errForbidden):
		s.refuse(w, r, p, audit.Record{ObjectKind: "dataset", ObjectID: id, ObjectUnit: strings.TrimSpace(up.in.Unit)},
			"无权发布该单位的数据集 (not allowed for this unit)", slog.String("dataset", id), slog.String("dataset_unit", up.in.Unit))
		return
	case errors.As(err, &se):
		httpjson.Error(w, se.status, se.code, se.msg)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}

	up.in.CSV = up.csvName
	res, err := c.importer.PublishDataset(ctx, up.in, up.csvPath)
	var bad *ingest.BadRowsError
	if errors.As(err, &bad) {
		s.odMetrics.ImportRejected.Add(float64(bad.BadRows))
		var body badRowsBody
		body.Error.Code, body.Error.Message, body.Error.RowCount = "bad_rows", bad.Error(), bad.BadRows
		body.Error.BadRows = make([]badRow, len(bad.Rows))
		for i, e := range bad.Rows {
			body.Error.BadRows[i] = badRow{Row: e.Row, Line: e.Line, Field: e.Field, Value: e.Value, Reason: e.Reason}
		}
		httpjson.Write(w, http.StatusUnprocessableEntity, body)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	unit := strings.TrimSpace(up.in.Unit)
	what := map[store.WriteResult]string{store.Added: "新增", store.Updated: "更新", store.Unchanged: "无变化"}[res.Result]
	summary := fmt.Sprintf("%s：第 %d 版，%d 行 (%s: version %d, %d rows)", what, res.Version, res.Rows, res.Result, res.Version, res.Rows)
	if current.Unit != "" && current.Unit != unit {
		summary += fmt.Sprintf("；单位 %s → %s (moved from unit %s to %s)", current.Unit, unit, current.Unit, unit)
	}
	s.appendAudit(ctx, audit.Record{Actor: p.Actor(remoteIP(r), r.UserAgent()), Action: "dataset.publish",
		ObjectKind: "dataset", ObjectID: res.Dataset, ObjectUnit: unit, Summary: summary})
	s.Log.LogAttrs(ctx, slog.LevelInfo, "dataset published", slog.String("request_id", requestID(ctx)),
		slog.Int64("token_id", p.TokenID), slog.String("dataset", res.Dataset), slog.String("result", res.Result.String()),
		slog.Int("version", res.Version), slog.Int64("rows", res.Rows))
	status := http.StatusOK
	if res.Result == store.Added {
		status = http.StatusCreated
	}
	httpjson.Write(w, status, publishedBody{Dataset: res.Dataset, Result: res.Result.String(), Version: res.Version, Rows: res.Rows})
}

// readUpload reads the multipart body: the metadata, checked and
// authorised as soon as it arrives (may reports whether the caller may
// publish for a unit), and the CSV, streamed to a temporary file beside
// the file store and never held in memory.
func (s *Server) readUpload(r *http.Request, c *console, id string, may func(unit string) bool) (*upload, error) {
	up := &upload{}
	mr, err := r.MultipartReader()
	if err != nil {
		return up, &statusError{http.StatusBadRequest, "invalid", "multipart 格式错误 (malformed multipart body: " + err.Error() + ")"}
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, readError(err)
		}
		switch name := part.FormName(); {
		case name == "metadata" && !up.hasMeta:
			if err := readMetadata(part, id, &up.in); err != nil {
				return up, err
			}
			up.hasMeta = true
			if !may(strings.TrimSpace(up.in.Unit)) {
				return up, errForbidden
			}
		case name == "csv" && up.csvPath == "":
			up.csvName = part.FileName()
			if up.csvName == "" {
				up.csvName = "csv"
			}
			if err := s.spoolCSV(part, c.maxCSV, up); err != nil {
				return up, err
			}
		case name == "metadata" || name == "csv":
			return up, catalog.FieldErrors{{Field: name, Reason: "重复的部分 (the part is given twice)"}}
		default:
			return up, catalog.FieldErrors{{Field: name, Reason: "未知的部分，只接受 metadata 与 csv (unknown part; only metadata and csv)"}}
		}
	}
	var fe catalog.FieldErrors
	if !up.hasMeta {
		fe.Add("metadata", "缺少数据集元数据 (part metadata is required)")
	}
	if up.csvPath == "" {
		fe.Add("csv", "缺少 CSV 文件 (part csv is required)")
	}
	return up, fe.Err()
}

// readMetadata decodes the metadata part and checks it, so that a bad
// request is answered before its CSV is read. The id may be left out; if
// given, it must be the one in the URL.
func readMetadata(part io.Reader, id string, in *catalog.DatasetInput) error {
	b, err := io.ReadAll(io.LimitReader(part, maxDatasetMeta+1))
	if err != nil {
		return readError(err)
	}
	if len(b) > maxDatasetMeta {
		return &statusError{http.StatusRequestEntityTooLarge, "too_large", "元数据超过 1 MB (metadata larger than 1 MB)"}
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	if err := dec.Decode(in); err != nil {
		return catalog.FieldErrors{{Field: "metadata", Reason: "JSON 格式错误 (invalid JSON: " + err.Error() + ")"}}
	}
	if dec.More() {
		return catalog.FieldErrors{{Field: "metadata", Reason: "只能有一个 JSON 对象 (extra data after the object)"}}
	}
	switch strings.TrimSpace(in.ID) {
	case "":
		in.ID = id
	case id:
	default:
		return catalog.FieldErrors{{Field: "id", Reason: fmt.Sprintf("元数据中的 id %q 与地址中的 %q 不一致 (id differs from the URL)", in.ID, id)}}
	}
	// The CSV arrives in its own part; a placeholder satisfies the check.
	probe := *in
	probe.CSV = "csv"
	if _, err := probe.ToDataset(); err != nil {
		return err
	}
	return nil
}

// spoolCSV copies the csv part to a temporary file, refusing more than max
// bytes.
func (s *Server) spoolCSV(part io.Reader, max int64, up *upload) error {
	dir := ""
	if s.Files != nil {
		dir = s.Files.Root() // the data disk, not a /tmp that may live in memory
	}
	f, err := os.CreateTemp(dir, ".upload-*.csv")
	if err != nil {
		return fmt.Errorf("portal: spool csv: %w", err)
	}
	up.csvPath = f.Name()
	n, err := io.Copy(f, io.LimitReader(part, max+1))
	if cerr := f.Close(); err == nil && cerr != nil {
		return fmt.Errorf("portal: spool csv: %w", cerr)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("portal: spool csv: %w", err) // our disk, not the client
	}
	if err != nil {
		return readError(err)
	}
	if n > max {
		return &statusError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("CSV 文件超过 %d MB (the csv part is larger than %d MB)", max>>20, max>>20)}
	}
	return nil
}

// readError words a failure to read the request body.
func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &statusError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("请求体过大 (request body larger than %d bytes)", mbe.Limit)}
	}
	return &statusError{http.StatusBadRequest, "invalid", "请求体读取失败 (cannot read the request body: " + err.Error() + ")"}
}
