// Package indexer owns the full-text search index of published entries: the
// Bleve mapping, the Chinese analysis (gse word segmentation beside
// character bigrams, traditional → simplified folding, pinyin, synonyms,
// 文号 normalisation), the attachment text extraction, the follower that
// applies the store's change log with its checkpoint kept inside the index,
// rebuild and verify, and the typed search API (query, filters, facets,
// snippets, suggestions, popular queries).
//
// The index is derived data: the store is the truth, and the index can be
// rebuilt from it at any time. Bleve allows one writing process per index
// directory, so one Index owns its directory (a lock file says so) and
// serves both the follower and the searches of its process.
package indexer
