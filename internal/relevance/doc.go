// Package relevance is the yardstick of search quality: a labelled set of
// queries (testdata/queries.jsonl), a judge that decides which entries are
// relevant to each by reading the stored text (never by asking the search
// engine), and the metrics that compare the engine's answers with the
// judge's: success@1 for known items, nDCG@10 for topical queries, boundary
// traps in the top ten, "did you mean" accuracy, exact facet counts and
// empty answers for strings no entry holds.
//
// The harness (relevance_test.go) imports the demo data set into a store,
// builds the index and asks every query through GET /api/v1/search; `make
// bench-relevance` prints the figures for SQLite and PostgreSQL.
package relevance
