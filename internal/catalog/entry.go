package catalog

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Shanghai is the zone of every date written without one. China has kept
// UTC+8 without daylight saving since 1992, so a fixed zone is exact and
// needs no tzdata on the host.
var Shanghai = time.FixedZone("CST", 8*60*60)

// Entry states, from draft to public page.
const (
	StatusDraft     = "draft"     // being written by unit staff
	StatusPending   = "pending"   // submitted by staff, waiting for the unit's approver
	StatusSubmitted = "submitted" // approved by the unit, waiting for office review
	StatusReturned  = "returned"  // returned with a reason
	StatusPublished = "published" // public
	StatusWithdrawn = "withdrawn" // was public, withdrawn with a reason
)

// ImportStatuses are the states an import line may set directly.
var ImportStatuses = []string{StatusPublished, StatusWithdrawn, StatusDraft}

// Validity values (有效性).
var Validities = []string{"有效", "失效", "废止"}

// FivePublics are the "five publics" classes (五公开).
var FivePublics = []string{"决策", "执行", "管理", "服务", "结果"}

// InterpretationForms are the forms a policy interpretation (政策解读) takes.
var InterpretationForms = []string{"文字", "图解", "问答", "访谈", "视频", "媒体评论"}

// InterpretationColumn is the column of policy interpretations.
const InterpretationColumn = "zcjd"

// Attachment is a file attached to an entry; the bytes live in the file
// store under their SHA-256.
type Attachment struct {
	Name      string `json:"name" db:"name"`
	SHA256    string `json:"sha256" db:"sha256"`
	Size      int64  `json:"size" db:"size"`
	MediaType string `json:"media_type" db:"media_type"`
}

// Entry is one piece of disclosed information in one column of one unit.
type Entry struct {
	ID          string     `json:"id"`
	Unit        string     `json:"unit"`
	Column      string     `json:"column"`
	IndexNo     string     `json:"index_no"`
	Title       string     `json:"title"`
	Publisher   string     `json:"publisher,omitempty"`
	DocNo       string     `json:"doc_no,omitempty"`
	WrittenAt   string     `json:"written_at,omitempty"` // YYYY-MM-DD
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Topic       string     `json:"topic,omitempty"`
	DocType     string     `json:"doc_type,omitempty"`
	Validity    string     `json:"validity,omitempty"`
	Keywords    []string   `json:"keywords"`
	Summary     string     `json:"summary,omitempty"`
	BodyHTML    string     `json:"body_html,omitempty"`
	BodyText    string     `json:"body_text,omitempty"`
	FivePublics string     `json:"five_publics,omitempty"`
	Form        string     `json:"form,omitempty"`
	Status      string     `json:"status"`
	// WithdrawnAt and WithdrawReason describe a withdrawal (撤回); the
	// public page keeps saying when and why.
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawReason string     `json:"withdraw_reason,omitempty"`
	// ReturnReason is why a returned entry was sent back to its unit.
	ReturnReason string       `json:"return_reason,omitempty"`
	Attachments  []Attachment `json:"attachments"`
	Related      []string     `json:"related"`
}

var entryIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ValidEntryID reports whether id may key an entry.
func ValidEntryID(id string) bool { return entryIDRE.MatchString(id) }

// AttachmentRef is an attachment as an import line or API call names it:
// a display name and a file to read.
type AttachmentRef struct {
	Name string `json:"name"`
	File string `json:"file"`
	// SHA256 names a file already in the file store instead of File: an
	// upload through the console, or an attachment the entry already has.
	SHA256 string `json:"sha256,omitempty"`
}

// EntryInput is an entry as the import format and the console API take it.
type EntryInput struct {
	ID          string   `json:"id"`
	Unit        string   `json:"unit"`
	Column      string   `json:"column"`
	IndexNo     string   `json:"index_no"`
	Title       string   `json:"title"`
	Publisher   string   `json:"publisher"`
	DocNo       string   `json:"doc_no"`
	WrittenAt   string   `json:"written_at"`
	PublishedAt string   `json:"published_at"`
	Topic       string   `json:"topic"`
	DocType     string   `json:"doc_type"`
	Validity    string   `json:"validity"`
	Keywords    []string `json:"keywords"`
	Summary     string   `json:"summary"`
	BodyHTML    string   `json:"body_html"`
	BodyText    string   `json:"body_text"`
	FivePublics string   `json:"five_publics"`
	Form        string   `json:"form"`
	Status      string   `json:"status"`
	// WithdrawnAt and WithdrawReason may accompany status "withdrawn".
	WithdrawnAt    string          `json:"withdrawn_at"`
	WithdrawReason string          `json:"withdraw_reason"`
	Attachments    []AttachmentRef `json:"attachments"`
	Related        []string        `json:"related"`
}

// Limits on field sizes, generous for real documents but bounded.
const (
	maxTitleRunes = 500
	maxShortRunes = 200
	maxBodyBytes  = 8 << 20
	maxKeywords   = 50
	maxRelated    = 100
)

// ToEntry validates the input and turns it into an Entry. Attachments are
// left for the caller, who reads the files; the body is not yet sanitised.
func (in EntryInput) ToEntry() (Entry, error) {
	var errs FieldErrors
	e := Entry{
		ID: strings.TrimSpace(in.ID), Unit: strings.TrimSpace(in.Unit), Column: strings.TrimSpace(in.Column),
		IndexNo: strings.TrimSpace(in.IndexNo), Title: strings.TrimSpace(in.Title),
		Publisher: strings.TrimSpace(in.Publisher), DocNo: strings.TrimSpace(in.DocNo),
		Topic: strings.TrimSpace(in.Topic), DocType: strings.TrimSpace(in.DocType),
		Validity: strings.TrimSpace(in.Validity), Summary: strings.TrimSpace(in.Summary),
		BodyHTML: in.BodyHTML, BodyText: in.BodyText, FivePublics: strings.TrimSpace(in.FivePublics),
		Form: strings.TrimSpace(in.Form), Status: strings.TrimSpace(in.Status),
	}
	switch {
	case e.ID == "":
		errs.Add("id", "缺少 id (required)")
	case !ValidEntryID(e.ID):
		errs.Add("id", "id 只能由字母、数字、. _ - 组成，最长 64 个字符 (must match [A-Za-z0-9._-]{1,64})")
	}
	if e.Unit == "" {
		errs.Add("unit", "缺少单位代码 (required)")
	}
	if e.Column == "" {
		errs.Add("column", "缺少栏目代码 (required)")
	}
	switch n := utf8.RuneCountInString(e.Title); {
	case n == 0:
		errs.Add("title", "缺少标题 (required)")
	case n > maxTitleRunes:
		errs.Add("title", "标题过长 (longer than 500 characters)")
	}
	for field, v := range map[string]string{"publisher": e.Publisher, "doc_no": e.DocNo, "topic": e.Topic, "doc_type": e.DocType, "index_no": e.IndexNo} {
		if utf8.RuneCountInString(v) > maxShortRunes {
			errs.Add(field, "过长 (longer than 200 characters)")
		}
	}
	if e.Status == "" {
		e.Status = StatusPublished
	} else if !contains(ImportStatuses, e.Status) {
		errs.Add("status", "状态必须是 published、withdrawn 或 draft (got "+quote(e.Status)+")")
	}
	if in.WrittenAt != "" {
		d, err := ParseDate(in.WrittenAt)
		if err != nil {
			errs.Add("written_at", "成文日期格式不正确，应为 ISO 8601 日期，如 2018-07-03 (got "+quote(in.WrittenAt)+")")
		} else {
			e.WrittenAt = d
		}
	}
	if in.PublishedAt != "" {
		t, err := ParseTime(in.PublishedAt)
		if err != nil {
			errs.Add("published_at", "发布日期格式不正确，应为 ISO 8601，如 2018-07-03T10:00:00+08:00 (got "+quote(in.PublishedAt)+")")
		} else {
			e.PublishedAt = &t
		}
	} else if e.Status == StatusPublished || e.Status == StatusWithdrawn {
		errs.Add("published_at", "已发布的信息必须有发布日期 (required when status is "+e.Status+")")
	}
	if in.WithdrawnAt != "" || in.WithdrawReason != "" {
		if e.Status != StatusWithdrawn {
			errs.Add("withdrawn_at", "只有已撤回（withdrawn）的信息才有撤回日期和理由 (only for status withdrawn)")
		} else if in.WithdrawnAt != "" {
			t, err := ParseTime(in.WithdrawnAt)
			if err != nil {
				errs.Add("withdrawn_at", "撤回日期格式不正确，应为 ISO 8601 (got "+quote(in.WithdrawnAt)+")")
			} else {
				e.WithdrawnAt = &t
			}
		}
		e.WithdrawReason = strings.TrimSpace(in.WithdrawReason)
	}
	if e.Validity != "" && !contains(Validities, e.Validity) {
		errs.Add("validity", "有效性必须是 有效、失效 或 废止 (got "+quote(e.Validity)+")")
	}
	if e.FivePublics != "" && !contains(FivePublics, e.FivePublics) {
		errs.Add("five_publics", "五公开类别必须是 决策、执行、管理、服务 或 结果 (got "+quote(e.FivePublics)+")")
	}
	if e.Form != "" && !contains(InterpretationForms, e.Form) {
		errs.Add("form", "解读形式必须是 文字、图解、问答、访谈、视频 或 媒体评论 (got "+quote(e.Form)+")")
	}
	if len(in.BodyHTML)+len(in.BodyText) > maxBodyBytes {
		errs.Add("body_html", "正文超过 8 MB (body too large)")
	}
	if strings.TrimSpace(in.BodyHTML) == "" && strings.TrimSpace(in.BodyText) == "" {
		errs.Add("body_html", "缺少正文：需要 body_html 或 body_text (one of them is required)")
	}
	if len(in.Keywords) > maxKeywords {
		errs.Add("keywords", "关键词过多 (more than 50)")
	}
	e.Keywords = make([]string, 0, len(in.Keywords))
	for _, k := range in.Keywords {
		if k = strings.TrimSpace(k); k != "" && !contains(e.Keywords, k) {
			e.Keywords = append(e.Keywords, k)
		}
	}
	if len(in.Related) > maxRelated {
		errs.Add("related", "关联信息过多 (more than 100)")
	}
	e.Related = make([]string, 0, len(in.Related))
	for _, r := range in.Related {
		r = strings.TrimSpace(r)
		switch {
		case !ValidEntryID(r):
			errs.Add("related", "关联信息 id 格式不正确 (got "+quote(r)+")")
		case r == e.ID:
			errs.Add("related", "不能关联自己 (an entry cannot relate to itself)")
		case !contains(e.Related, r):
			e.Related = append(e.Related, r)
		}
	}
	if e.Column == InterpretationColumn && e.Status == StatusPublished && len(e.Related) == 0 {
		errs.Add("related", "政策解读必须注明所解读的政策文件 (an interpretation must name its policy in related)")
	}
	for i, a := range in.Attachments {
		if strings.TrimSpace(a.File) == "" && strings.TrimSpace(a.SHA256) == "" {
			errs.Add("attachments", "附件 "+strconv.Itoa(i+1)+" 缺少 file")
		}
	}
	return e, errs.Err()
}

// ParseDate accepts an ISO 8601 date, or a date-time whose Shanghai date is
// taken, and returns it as YYYY-MM-DD.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation(time.DateOnly, s, Shanghai); err == nil {
		return t.Format(time.DateOnly), nil
	}
	t, err := ParseTime(s)
	if err != nil {
		return "", err
	}
	return t.In(Shanghai).Format(time.DateOnly), nil
}

// timeLayouts are the ISO 8601 shapes accepted for instants; those without
// a zone are read as Shanghai time.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	time.DateOnly,
}

// ParseTime parses an ISO 8601 date or date-time; no zone means Shanghai.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var firstErr error
	for _, layout := range timeLayouts {
		t, err := time.ParseInLocation(layout, s, Shanghai)
		if err == nil {
			return t, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return time.Time{}, firstErr
}

// Topics is the national subject classification (主题分类) of disclosure
// catalogs, offered as a picker.
var Topics = []string{
	"国务院组织机构", "综合政务", "国民经济管理、国有资产监管", "财政、金融、审计",
	"国土资源、能源", "农业、林业、水利", "工业、交通", "商贸、海关、旅游",
	"市场监管、安全生产监管", "城乡建设、环境保护", "科技、教育", "文化、广电、新闻出版",
	"卫生、体育", "人口与计划生育、妇女儿童工作", "劳动、人事、监察", "公安、安全、司法",
	"民政、扶贫、救灾", "民族、宗教", "对外事务", "港澳台侨工作", "国防", "其他",
}

// DocTypes are the document types (文种) offered as a picker: the fifteen
// kinds of official document, then the usual others.
var DocTypes = []string{
	"决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复", "议案", "函", "纪要",
	"规定", "办法", "细则", "规划", "计划", "方案", "总结", "其他",
}
