// Package supervise holds the city office's supervision (监督考核): the
// rules that find silent units, thin volume, overdue and empty columns as
// of a date; the supervision notices (督办通知) they raise and their life
// until closed; monthly spot checks, quarterly bulletins, deadline
// campaigns and the annual report's tables.
//
// The rules are plain functions of the store's aggregates and a date
// (Evaluate), so that the same date always gives the same answer; the
// Service reads the aggregates, keeps notices and records every step in
// the audit log.
package supervise
