// Package audit defines the records of the append-only audit log ("谁发布、
// 谁负责"): who did what to which object, when, from where and with what
// outcome, and the hash chain that makes tampering detectable. It is plain
// Go: the store keeps the rows and hands them back for verification.
package audit
