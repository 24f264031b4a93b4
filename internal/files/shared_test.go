package files

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Two stores on one directory stand for two replicas sharing a file
// store: putting the same bytes at once from both, while others read the
// file, must leave one whole file and no temporary ones.
func TestConcurrentPutsOfTheSameBytes(t *testing.T) {
	dir := t.TempDir()
	a, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("附件内容 attachment body\n"), 4000) // ~120 KB
	h := sha256.Sum256(content)
	want := hex.EncodeToString(h[:])

	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, 4*writers)
	sums := make(chan string, writers)
	for i := range writers {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, n, err := st.Put(bytes.NewReader(content))
			if err != nil {
				errs <- err
				return
			}
			if n != int64(len(content)) {
				errs <- io.ErrShortWrite
			}
			sums <- sum
		}()
		// Readers race the writers: a file they manage to open is whole.
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				f, err := st.Open(want)
				if err != nil {
					continue // not there yet
				}
				got, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, content) {
					errs <- io.ErrUnexpectedEOF
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(sums)
	for err := range errs {
		t.Error(err)
	}
	for sum := range sums {
		if sum != want {
			t.Errorf("hash %s, want %s", sum, want)
		}
	}
	assertOnlyFiles(t, dir, want)
	f, err := b.Open(want)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := io.ReadAll(f); !bytes.Equal(got, content) {
		t.Fatal("stored bytes differ")
	}
}

// A file already stored is never replaced, so a reader that has it open
// (on another host of a shared filesystem, say) keeps its file.
func TestPutKeepsTheStoredFile(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sum, _, err := s.Put(strings.NewReader("同一内容"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Path(sum)
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// The race the Stat check cannot see: the file appears between
	// writing the temporary file and publishing it.
	tmp := filepath.Join(s.Root(), ".put-test")
	if err := os.WriteFile(tmp, []byte("同一内容"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := publish(tmp, p); err != nil {
		t.Fatalf("publish over an existing file: %v", err)
	}
	os.Remove(tmp)
	after, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Fatal("the stored file was replaced")
	}
	if _, _, err := s.Put(strings.NewReader("同一内容")); err != nil {
		t.Fatal(err)
	}
	again, _ := os.Stat(p)
	if !os.SameFile(before, again) {
		t.Fatal("putting the same bytes again replaced the stored file")
	}
	assertOnlyFiles(t, s.Root(), sum)
}

// A failed write leaves nothing behind, not even its temporary file.
func TestFailedPutLeavesNothing(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Put(io.MultiReader(strings.NewReader("半个文件"), failingReader{})); err == nil {
		t.Fatal("a failing reader was stored")
	}
	assertOnlyFiles(t, s.Root())
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// assertOnlyFiles checks that dir holds exactly the files named by sums,
// each under its two-character prefix, and no temporary files.
func assertOnlyFiles(t *testing.T, dir string, sums ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, s := range sums {
		want[filepath.Join(s[:2], s)] = true
	}
	got := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got[rel] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range got {
		if !want[f] {
			t.Errorf("unexpected file %s in the store", f)
		}
	}
	for f := range want {
		if !got[f] {
			t.Errorf("missing file %s", f)
		}
	}
}
