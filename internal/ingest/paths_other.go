//go:build !unix

package ingest

// openNoBlock: named pipes cannot sit in a folder here.
const openNoBlock = 0
