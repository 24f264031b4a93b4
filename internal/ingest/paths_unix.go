//go:build unix

package ingest

import "syscall"

// openNoBlock keeps the open of a named pipe from waiting for a writer:
// such a file is refused once opened, and a regular file reads the same
// with or without it.
const openNoBlock = syscall.O_NONBLOCK
