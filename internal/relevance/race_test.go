//go:build race

package relevance

// raceDetector is true in binaries built with -race. Under the race
// detector the setup alone (generating, importing and indexing 10,500
// entries) takes about eight minutes per store, against twenty seconds
// without it, and the harness has no concurrency of its own to check.
const raceDetector = true
