// Package searchbench measures the search index against Groonga (the
// machine's `groonga` with TokenBigram) on the same generated text: index
// build rate, search latency over HTTP for a fixed query mix with all six
// facets, and publish → searchable lag. It has no code of its own outside
// its benchmark; run it with `make bench`.
package searchbench
