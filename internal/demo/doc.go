// Package demo generates a realistic, deterministic demonstration data set
// for Gongkai: the units of the Linyi city government, ten thousand or so
// catalog entries spread over every leaf column of the standard template,
// their attachment files, and a dozen open-data sets with CSV rows.
//
// The output is a directory of import files in the contract format (JSON
// Lines plus the files they point to), so the demo goes through exactly the
// same import path as real data. Everything is derived from Options.Seed and
// Options.Now: the same pair always yields byte-identical files.
package demo
