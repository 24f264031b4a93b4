//go:build unix

package searchbench

import (
	"io/fs"
	"path/filepath"
	"syscall"
)

// diskUsage is the space the files under dir take on disk (allocated
// blocks, as du counts them: Groonga's files are created larger than their
// contents), or their sizes where the system does not say.
func diskUsage(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		} else {
			total += info.Size()
		}
		return nil
	})
	return total, err
}
