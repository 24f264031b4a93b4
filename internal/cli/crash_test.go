package cli

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillDuringIndexingThenVerify runs the real binary: it starts serve on
// a store of generated entries, kills it with SIGKILL while the index is
// being built and followed, imports more entries while it is down, starts
// it again and waits until it is ready; `index verify` must then be clean.
func TestKillDuringIndexingThenVerify(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gongkai")
	build := exec.Command("go", "build", "-o", bin, "gongkai/cmd/gongkai")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	gk := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append(args, "--data", data)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := gk("demo", "--entries", "3000", "--rows", "500", "--seed", "5"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}

	// First run: killed in the middle of the initial build or of following.
	serve := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "serving on "); ok {
				go io.Copy(io.Discard, stdout)
				return cmd, strings.TrimSuffix(url, "/")
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("serve printed no address")
		return nil, ""
	}
	cmd, _ := serve()
	// Wait until the index is being written, then kill.
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(50 * time.Millisecond) {
		if gens, _ := filepath.Glob(filepath.Join(data, "index", "gen-*")); len(gens) > 0 {
			break
		}
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// While it is down, more entries arrive through the store.
	more := filepath.Join(dir, "more.jsonl")
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, `{"id": "late-%d", "unit": "fgw", "column": "tzgg", "title": "停机期间发布的通知%d", "published_at": "2026-01-02", "body_text": "正文"}`+"\n", i, i)
	}
	os.WriteFile(more, []byte(b.String()), 0o644)
	if out, err := gk("import", "entries", more, "--quiet"); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}

	// Second run: it must resume and catch up, then stop cleanly.
	cmd, base := serve()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("serve did not become ready after the restart")
		}
		time.Sleep(200 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve did not stop cleanly on SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not stop within 30 s of SIGTERM")
	}

	out, err := gk("index", "verify")
	if err != nil {
		t.Fatalf("verify after the crash is not clean: %v\n%s", err, out)
	}
	if !strings.Contains(out, "0 missing, 0 stale, 0 extra") {
		t.Errorf("verify output: %s", out)
	}
}
