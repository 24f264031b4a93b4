// Package console is the back office (后台管理): login, the unit's catalog
// tree and entry lists, the editor, the approval and review queues,
// withdrawals, pinned emergency responses, column filings, delegation and
// the audit browser, as server-rendered Chinese pages, and the back-office
// JSON API of the contract. Handlers are thin: they authenticate, parse,
// call package workflow (which checks role and unit and audits), and
// render. The portal's router mounts the routes this package lists.
package console
