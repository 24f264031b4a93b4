// Package portal is the HTTP face of the service: the one router, the
// public JSON API, health and metrics endpoints, and (in time) the public
// pages and the back office. Handlers are thin: they parse input, call the
// store or a domain package, and render.
package portal
