package portal

import (
	"net/url"
	"strconv"
)

// crumb is one step of the breadcrumb trail; the last has no URL.
type crumb struct {
	Name string
	URL  string
}

// pager is the page navigation under a paginated list.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string // "" on the first or last page
	Links              []pageLink
}

// pageLink is one numbered link of a pager, or a gap ("…") between them.
type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

// pageWindow is how many page numbers the pager shows on each side of the
// current one, besides the first and the last.
const pageWindow = 2

// newPager builds the navigation for a list at base; page 1 is the base URL
// itself, the others add ?page=N.
func newPager(base string, page, total, size int) pager {
	return newPagerAt(func(n int) string {
		if n == 1 {
			return base
		}
		return base + "?" + url.Values{"page": {strconv.Itoa(n)}}.Encode()
	}, page, total, size, 0)
}

// newPagerAt builds the navigation with at naming each page's URL; limit,
// when positive, caps the number of pages offered.
func newPagerAt(at func(n int) string, page, total, size, limit int) pager {
	pages := max((total+size-1)/size, 1)
	if limit > 0 {
		pages = min(pages, limit)
	}
	p := pager{Page: page, Pages: pages, Total: total}
	if page > 1 {
		p.Prev = at(page - 1)
	}
	if page < pages {
		p.Next = at(page + 1)
	}
	shown := func(n int) bool { return n == 1 || n == pages || (n >= page-pageWindow && n <= page+pageWindow) }
	last := 0
	for n := 1; n <= pages; n++ {
		// A gap of a single page shows that page: "…" would take as much room.
		if !shown(n) && !(shown(n-1) && shown(n+1)) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Links = append(p.Links, pageLink{Gap: true})
		}
		p.Links = append(p.Links, pageLink{N: n, URL: at(n), Current: n == page})
		last = n
	}
	return p
}

// pageNumber reads ?page=N: 1 when absent, ok false when it is not a
// positive number.
func pageNumber(q url.Values) (int, bool) {
	s := q.Get("page")
	if s == "" {
		return 1, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, false
	}
	return n, true
}
