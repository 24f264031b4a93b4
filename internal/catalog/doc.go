// Package catalog holds the domain of the disclosure catalog: units, the
// column template and each unit's tree, entries and their states, datasets
// and index numbers. It is plain Go: no SQL, HTTP or search engine here, so
// every rule can be tested on its own.
package catalog
