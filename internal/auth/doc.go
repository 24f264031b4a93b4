// Package auth owns who may do what in the back office: the roles, the
// permission checks (plain functions of a Principal, one per question),
// console accounts with their argon2id passwords, lockout and sessions,
// the per-session CSRF token, and the API tokens that stand for a role
// (and a unit) without a login.
package auth
