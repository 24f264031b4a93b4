package portal

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/store"
)

// feedSize is how many entries an RSS feed carries.
const feedSize = 50

// sitemapPageSize is how many entry URLs one sitemap file lists (the
// protocol allows 50,000; smaller files are quicker to fetch and retry).
const sitemapPageSize = 10000

// siteURL is the site's configured public address, for the absolute URLs
// that feeds, sitemaps and open data need. It never comes from the
// request: a forged Host header must not put another site's address into
// a feed or a cached page. Without one configured it is the default
// listen address on loopback.
func (s *Server) siteURL() string {
	if base := strings.TrimRight(s.Site.BaseURL, "/"); base != "" {
		return base
	}
	return config.BaseURLOf(config.DefaultAddr)
}

type rssFeed struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	AtomNS  string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

// atomLink is the channel's own address, which feed readers and validators
// expect (RSS Best Practices). It is written with the conventional atom:
// prefix: readers that ignore namespaces would take an unprefixed second
// <link> for the channel's link.
type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate,omitempty"`
	Category    string  `xml:"category,omitempty"`
	Description string  `xml:"description,omitempty"`
}

type rssGUID struct {
	Value     string `xml:",chardata"`
	PermaLink bool   `xml:"isPermaLink,attr"`
}

// newFeed builds an RSS 2.0 document of entries, newest first.
func newFeed(base, title, link, self, description string, entries []store.EntrySummary) rssFeed {
	ch := rssChannel{Title: title, Link: base + link, Description: description, Language: "zh-cn",
		Self: atomLink{Href: base + self, Rel: "self", Type: "application/rss+xml"}}
	for i, e := range entries {
		it := rssItem{Title: e.Title, Link: base + entryPageURL(e.ID), Category: e.ColumnName, Description: e.Summary}
		it.GUID = rssGUID{Value: it.Link, PermaLink: true}
		if it.Description == "" {
			it.Description = excerpt(e.Excerpt)
		}
		if e.PublishedAt != nil {
			it.PubDate = e.PublishedAt.In(catalog.Shanghai).Format(time.RFC1123Z)
			if i == 0 {
				ch.LastBuildDate = it.PubDate
			}
		}
		ch.Items = append(ch.Items, it)
	}
	return rssFeed{Version: "2.0", AtomNS: "http://www.w3.org/2005/Atom", Channel: ch}
}

// excerpt shortens body text to a one-paragraph teaser.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) >= 120 {
		return string(r[:120]) + "……"
	}
	return s
}

func (s *Server) writeXML(w http.ResponseWriter, r *http.Request, contentType string, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.failPage(w, r, fmt.Errorf("portal: encode %s: %w", r.URL.Path, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// unitFeed is the RSS feed of a unit's latest entries.
func (s *Server) unitFeed(w http.ResponseWriter, r *http.Request) {
	code := pathVar(r, "code")
	if !catalog.ValidUnitCode(code) {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	unit, err := s.Store.Unit(r.Context(), code)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	entries, err := s.Store.PublishedEntries(r.Context(), store.EntryList{Unit: code, Limit: feedSize})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	f := newFeed(s.siteURL(), unit.Name+" - "+s.Site.Name, unitPageURL(code), unitFeedURL(code),
		unit.Name+"最新公开的政府信息", entries)
	s.writeXML(w, r, "application/rss+xml; charset=utf-8", f)
}

// columnFeed is the RSS feed of one column of a unit.
func (s *Server) columnFeed(w http.ResponseWriter, r *http.Request) {
	code, colCode := pathVar(r, "code"), pathVar(r, "col")
	if !catalog.ValidUnitCode(code) || !catalog.ValidUnitCode(colCode) {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	unit, err := s.Store.Unit(r.Context(), code)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	tree, err := s.Store.TreeWithStats(r.Context(), code)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	col, _, ok := findColumn(tree, colCode)
	if !ok {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	entries, err := s.Store.PublishedEntries(r.Context(), store.EntryList{Unit: code, Column: colCode, Limit: feedSize})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	f := newFeed(s.siteURL(), unit.Name+" · "+col.Name+" - "+s.Site.Name, columnPageURL(code, colCode),
		columnFeedURL(code, colCode), unit.Name+"“"+col.Name+"”栏目最新公开的政府信息", entries)
	s.writeXML(w, r, "application/rss+xml; charset=utf-8", f)
}

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

type sitemapIndexDoc struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	NS       string       `xml:"xmlns,attr"`
	Sitemaps []sitemapLoc `xml:"sitemap"`
}

type sitemapLoc struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlSetDoc struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapLoc `xml:"url"`
}

// sitemapIndex names the sitemap of the catalog pages and the sitemaps of
// the entries, 10,000 entries each.
func (s *Server) sitemapIndex(w http.ResponseWriter, r *http.Request) {
	n, err := s.Store.CountPublished(r.Context(), store.EntryList{})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	base := s.siteURL()
	doc := sitemapIndexDoc{NS: sitemapNS, Sitemaps: []sitemapLoc{{Loc: base + "/sitemaps/catalog.xml"}}}
	for i := 1; i <= (n+sitemapPageSize-1)/sitemapPageSize; i++ {
		doc.Sitemaps = append(doc.Sitemaps, sitemapLoc{Loc: fmt.Sprintf("%s/sitemaps/entries-%d.xml", base, i)})
	}
	s.writeXML(w, r, "application/xml; charset=utf-8", doc)
}

// sitemapCatalog lists the home page, the unit list, every unit and every
// column that holds entries.
func (s *Server) sitemapCatalog(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	units, err := s.Store.UnitsWithStats(ctx)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	base := s.siteURL()
	doc := urlSetDoc{NS: sitemapNS, URLs: []sitemapLoc{{Loc: base + "/"}, {Loc: base + "/units"}}}
	for _, u := range units {
		doc.URLs = append(doc.URLs, sitemapLoc{Loc: base + unitPageURL(u.Code), LastMod: isoDate(u.LastPublish)})
		tree, err := s.Store.TreeWithStats(ctx, u.Code)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		for _, c := range tree {
			if c.Leaf && c.Entries > 0 {
				doc.URLs = append(doc.URLs, sitemapLoc{Loc: base + columnPageURL(u.Code, c.Code), LastMod: isoDate(c.LastPublish)})
			}
		}
	}
	s.writeXML(w, r, "application/xml; charset=utf-8", doc)
}

// sitemapEntries lists one page of published entries. It streams: the
// rows are read first (so a failure is still a clean error), then written
// out one URL at a time without building the document in memory.
func (s *Server) sitemapEntries(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(pathVar(r, "n"))
	if err != nil || n < 1 || n > 100000 {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	refs, err := s.Store.PublishedEntryRefs(r.Context(), (n-1)*sitemapPageSize, sitemapPageSize)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	if len(refs) == 0 && n > 1 {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	if r.Method == http.MethodHead {
		return
	}
	base := s.siteURL()
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.WriteString(xml.Header + `<urlset xmlns="` + sitemapNS + `">` + "\n")
	for _, ref := range refs {
		bw.WriteString("  <url><loc>")
		_ = xml.EscapeText(bw, []byte(base+entryPageURL(ref.ID)))
		bw.WriteString("</loc><lastmod>" + ref.UpdatedAt.In(catalog.Shanghai).Format(time.RFC3339) + "</lastmod></url>\n")
	}
	bw.WriteString("</urlset>\n")
	_ = bw.Flush()
}
