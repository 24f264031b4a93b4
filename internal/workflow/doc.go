// Package workflow carries entries from draft to public page and back:
// writing drafts, submit, approve, return, withdraw, pinning emergency
// responses, column filings (报备) and delegation (维护权限下放). Every
// action checks the caller's role and unit (package auth) and the entry's
// state (catalog.Next), writes the entry, its revision and the change log
// through the store in one transaction together with its audit record,
// and audits every refusal too. The console and the JSON API both call
// it, so their rules cannot drift apart.
package workflow
