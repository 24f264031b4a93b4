//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package indexer

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir only marks the directory on systems without flock; Bleve's own
// lock on its root file (opened with a timeout) still keeps a second
// writer out.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("indexer: lock %s: %w", dir, err)
	}
	return f, nil
}

func unlockDir(f *os.File) error {
	if f == nil {
		return nil
	}
	return f.Close()
}
