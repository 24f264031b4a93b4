package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// metaRow is one line of the entry's metadata table (信息索引).
type metaRow struct {
	Label string
	Value string
	Wide  bool // long values (the keywords) take a whole line
}

type attachmentView struct {
	Name string
	URL  string
	Type string // 如 Word 文档、PDF 文档
	Size string // 如 12.3 KB
}

type relatedItem struct {
	Title       string
	URL         string
	Form        string
	PublishedAt *time.Time
}

type relatedGroup struct {
	Heading string
	Items   []relatedItem
}

type withdrawalView struct {
	At     *time.Time
	Reason string
}

type entryView struct {
	ID          string
	Title       string
	Unit        string
	UnitName    string
	Column      string
	ColumnName  string
	PublishedAt *time.Time
	Meta        []metaRow
	Summary     string
	// Body is the entry's HTML. It may be output unescaped only because
	// internal/sanitize cleaned it before it was stored.
	Body        template.HTML
	BodyText    []string // paragraphs, for an entry that has only text
	Attachments []attachmentView
	Related     []relatedGroup
	Withdrawn   *withdrawalView
	Crumbs      []crumb
	// Preview marks the back office's preview of an entry not yet public.
	Preview bool
}

// newEntryView shapes an entry for its page. A withdrawn entry keeps its
// metadata and says when it was withdrawn; its body and files are gone.
func newEntryView(d store.EntryDetail) entryView {
	v := entryView{ID: d.ID, Title: d.Title, Unit: d.Unit, UnitName: d.UnitName, Column: d.Column,
		ColumnName: d.ColumnName, PublishedAt: d.PublishedAt, Summary: d.Summary,
		Crumbs: []crumb{{"首页", "/"}, {"单位目录", "/units"}, {d.UnitName, unitPageURL(d.Unit)},
			{d.ColumnName, columnPageURL(d.Unit, d.Column)}, {"正文", ""}}}
	publisher := d.Publisher
	if publisher == "" {
		publisher = d.UnitName
	}
	v.Meta = []metaRow{
		{Label: "索引号", Value: d.IndexNo},
		{Label: "发布机构", Value: publisher},
		{Label: "成文日期", Value: peopleDate(d.WrittenAt)},
		{Label: "发布日期", Value: peopleDate(d.PublishedAt)},
		{Label: "文号", Value: d.DocNo},
		{Label: "主题分类", Value: d.Topic},
		{Label: "文种", Value: d.DocType},
		{Label: "有效性", Value: d.Validity},
	}
	if d.FivePublics != "" {
		v.Meta = append(v.Meta, metaRow{Label: "五公开", Value: d.FivePublics})
	}
	if d.Form != "" {
		v.Meta = append(v.Meta, metaRow{Label: "解读形式", Value: d.Form})
	}
	if len(d.Keywords) > 0 {
		v.Meta = append(v.Meta, metaRow{Label: "关键词", Value: strings.Join(d.Keywords, "、"), Wide: true})
	}
	if d.Status == catalog.StatusWithdrawn {
		v.Withdrawn = &withdrawalView{At: d.WithdrawnAt, Reason: d.StatusReason}
	} else {
		if strings.TrimSpace(d.BodyHTML) != "" {
			v.Body = template.HTML(d.BodyHTML) // sanitised on the way into the store
		} else {
			for _, p := range strings.Split(d.BodyText, "\n") {
				if p = strings.TrimSpace(p); p != "" {
					v.BodyText = append(v.BodyText, p)
				}
			}
		}
		for i, a := range d.Attachments {
			v.Attachments = append(v.Attachments, attachmentView{Name: a.Name,
				URL:  fmt.Sprintf("/files/%s/%d", url.PathEscape(d.ID), i+1),
				Type: fileTypeLabel(a.Name, a.MediaType), Size: humanSize(a.Size)})
		}
	}
	v.Related = relatedGroups(d)
	return v
}

// relatedGroups sorts the public links of an entry under what they are to
// it: an interpretation names the policies it explains, a policy lists its
// interpretations, anything else is simply related.
func relatedGroups(d store.EntryDetail) []relatedGroup {
	const (
		interpretations = "相关解读"
		policies        = "解读的政策文件"
		others          = "相关信息"
	)
	order := []string{policies, interpretations, others}
	byHeading := map[string][]relatedItem{}
	for _, l := range d.Links {
		if l.Status != catalog.StatusPublished {
			continue
		}
		h := others
		switch {
		case d.Column == catalog.InterpretationColumn && l.Column != catalog.InterpretationColumn:
			h = policies
		case l.Column == catalog.InterpretationColumn:
			h = interpretations
		}
		byHeading[h] = append(byHeading[h], relatedItem{Title: l.Title, URL: entryPageURL(l.ID), Form: l.Form, PublishedAt: l.PublishedAt})
	}
	var out []relatedGroup
	for _, h := range order {
		if items := byHeading[h]; len(items) > 0 {
			out = append(out, relatedGroup{Heading: h, Items: items})
		}
	}
	return out
}

// fileTypeLabel names an attachment's type the way readers know it, from
// its file name and, failing that, its media type.
func fileTypeLabel(name, mediaType string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return "PDF 文档"
	case ".doc", ".docx":
		return "Word 文档"
	case ".xls", ".xlsx", ".et":
		return "Excel 表格"
	case ".wps":
		return "WPS 文档"
	case ".ofd":
		return "OFD 版式文档"
	case ".ppt", ".pptx", ".dps":
		return "演示文稿"
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff":
		return "图片"
	case ".zip", ".rar", ".7z":
		return "压缩文件"
	case ".csv":
		return "CSV 数据"
	case ".txt":
		return "文本文件"
	}
	switch {
	case mediaType == "application/pdf":
		return "PDF 文档"
	case strings.Contains(mediaType, "word"):
		return "Word 文档"
	case strings.Contains(mediaType, "excel"), strings.Contains(mediaType, "spreadsheet"):
		return "Excel 表格"
	case strings.HasPrefix(mediaType, "image/"):
		return "图片"
	}
	return "文件"
}

// humanSize writes a byte count for people: 512 B, 12.3 KB, 4.0 MB.
func humanSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", max(n, 0))
	}
	f := float64(n)
	for _, unit := range []string{"KB", "MB", "GB"} {
		f /= 1024
		if f < 1024 || unit == "GB" {
			return fmt.Sprintf("%.1f %s", f, unit)
		}
	}
	return ""
}

// entryPage shows an entry: metadata, body, attachments and the policy ↔
// interpretation links. Drafts and entries in review are not found; a
// withdrawn entry says so.
func (s *Server) entryPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicEntry(r, pathVar(r, "id"))
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "entry.html", newEntryView(d))
}

// previewEntry renders an entry of any state exactly as its public page
// will look, for the back office; its attachments link to the console.
func (s *Server) previewEntry(w http.ResponseWriter, r *http.Request, d store.EntryDetail) {
	v := newEntryView(d)
	v.Preview = true
	for i := range v.Attachments {
		v.Attachments[i].URL = fmt.Sprintf("/console/entries/%s/files/%d", url.PathEscape(d.ID), i+1)
	}
	s.render(noStore{w}, r, http.StatusOK, "entry.html", v)
}

// noStore keeps a page out of every cache whatever the renderer sets: a
// preview shows what is not yet public.
type noStore struct{ http.ResponseWriter }

func (w noStore) WriteHeader(code int) {
	w.Header().Set("Cache-Control", "no-store")
	w.ResponseWriter.WriteHeader(code)
}
