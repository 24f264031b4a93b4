package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
)

type attachmentJSON struct {
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
	SHA256    string `json:"sha256"`
	URL       string `json:"url"`
}

type linkJSON struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Unit        string     `json:"unit"`
	Column      string     `json:"column"`
	Form        string     `json:"form,omitempty"`
	PublishedAt *time.Time `json:"published_at"`
	URL         string     `json:"url"`
}

type entryJSON struct {
	ID          string           `json:"id"`
	IndexNo     string           `json:"index_no"`
	Title       string           `json:"title"`
	Unit        string           `json:"unit"`
	UnitName    string           `json:"unit_name"`
	Column      string           `json:"column"`
	ColumnName  string           `json:"column_name"`
	Publisher   string           `json:"publisher"`
	DocNo       string           `json:"doc_no"`
	WrittenAt   string           `json:"written_at"`
	PublishedAt *time.Time       `json:"published_at"`
	Topic       string           `json:"topic"`
	DocType     string           `json:"doc_type"`
	Validity    string           `json:"validity"`
	Keywords    []string         `json:"keywords"`
	Summary     string           `json:"summary"`
	FivePublics string           `json:"five_publics"`
	Form        string           `json:"form,omitempty"`
	Status      string           `json:"status"`
	BodyHTML    string           `json:"body_html"`
	BodyText    string           `json:"body_text"`
	Attachments []attachmentJSON `json:"attachments"`
	Related     []linkJSON       `json:"related"`
	Withdrawn   *withdrawalJSON  `json:"withdrawn"`
	UpdatedAt   time.Time        `json:"updated_at"`
	URL         string           `json:"url"`
}

type withdrawalJSON struct {
	At     *time.Time `json:"at"`
	Reason string     `json:"reason"`
}

// publicEntry loads an entry the public may see: published or withdrawn.
// Drafts and entries in review answer 404, as if they did not exist.
func (s *Server) publicEntry(r *http.Request, id string) (store.EntryDetail, error) {
	if !catalog.ValidEntryID(id) {
		return store.EntryDetail{}, fmt.Errorf("portal: entry %q: %w", id, store.ErrNotFound)
	}
	d, err := s.Store.Entry(r.Context(), id)
	if err != nil {
		return d, err
	}
	if d.Status != catalog.StatusPublished && d.Status != catalog.StatusWithdrawn {
		return d, fmt.Errorf("portal: entry %q is not public: %w", id, store.ErrNotFound)
	}
	return d, nil
}

func entryURL(id string) string { return "/api/v1/entries/" + url.PathEscape(id) }

// apiEntry returns one entry with its metadata, body, attachments and
// related entries. A withdrawn entry keeps its metadata and says when and
// why it was withdrawn; its body and files are no longer served.
func (s *Server) apiEntry(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicEntry(r, pathVar(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := entryJSON{ID: d.ID, IndexNo: d.IndexNo, Title: d.Title, Unit: d.Unit, UnitName: d.UnitName,
		Column: d.Column, ColumnName: d.ColumnName, Publisher: d.Publisher, DocNo: d.DocNo,
		WrittenAt: d.WrittenAt, PublishedAt: inShanghai(d.PublishedAt), Topic: d.Topic, DocType: d.DocType,
		Validity: d.Validity, Keywords: d.Keywords, Summary: d.Summary, FivePublics: d.FivePublics,
		Form: d.Form, Status: d.Status, Attachments: []attachmentJSON{}, Related: []linkJSON{},
		UpdatedAt: d.UpdatedAt.In(catalog.Shanghai), URL: entryURL(d.ID)}
	if out.Publisher == "" {
		out.Publisher = d.UnitName
	}
	if d.Status == catalog.StatusWithdrawn {
		out.Withdrawn = &withdrawalJSON{At: inShanghai(d.WithdrawnAt), Reason: d.StatusReason}
	} else {
		out.BodyHTML, out.BodyText = d.BodyHTML, d.BodyText
		for i, a := range d.Attachments {
			out.Attachments = append(out.Attachments, attachmentJSON{Name: a.Name, Size: a.Size, MediaType: a.MediaType,
				SHA256: a.SHA256, URL: fmt.Sprintf("/files/%s/%d", url.PathEscape(d.ID), i+1)})
		}
	}
	for _, l := range d.Links {
		if l.Status != catalog.StatusPublished {
			continue
		}
		out.Related = append(out.Related, linkJSON{ID: l.ID, Title: l.Title, Unit: l.Unit, Column: l.Column,
			Form: l.Form, PublishedAt: inShanghai(l.PublishedAt), URL: entryURL(l.ID)})
	}
	httpjson.Write(w, http.StatusOK, out)
}

// attachment serves the n-th attachment of a published entry, under its
// own name (RFC 6266: a Chinese name goes in filename*).
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicEntry(r, pathVar(r, "entry"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, _ := strconv.Atoi(pathVar(r, "n"))
	if d.Status != catalog.StatusPublished || n < 1 || n > len(d.Attachments) {
		httpjson.Error(w, http.StatusNotFound, "not_found", "附件不存在 (no such attachment)")
		return
	}
	a := d.Attachments[n-1]
	f, err := s.Files.Open(a.SHA256)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", a.MediaType)
	h.Set("Content-Disposition", ContentDisposition("attachment", a.Name))
	h.Set("ETag", `"`+a.SHA256+`"`)
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", d.UpdatedAt, f)
}

// ContentDisposition builds the header for a file name that may be
// Chinese: an ASCII fallback plus the UTF-8 name in filename* (RFC 6266).
func ContentDisposition(kind, name string) string {
	ascii := make([]rune, 0, len(name))
	for _, c := range name {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '/' {
			c = '_'
		}
		ascii = append(ascii, c)
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, string(ascii), url.PathEscape(name))
}
