// Package auth owns who may do what in the back office: the roles, the
// API tokens that stand for a role (and a unit) without a login, and the
// permission checks, which are plain functions of a Principal. Users,
// sessions and CSRF protection belong here too as they arrive.
package auth
