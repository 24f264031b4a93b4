// Package archrules holds no code: its test checks the import rules of the
// project's layout, so that a change that breaks them fails `make test`.
package archrules
