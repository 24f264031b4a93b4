package config

import (
	"flag"
	"io"
	"path/filepath"
	"testing"
)

func TestFilesDir(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		want      string
		wantIndex string
	}{
		{name: "default under the data directory", args: []string{"--data", "/srv/gk"},
			want: filepath.Join("/srv/gk", "files"), wantIndex: filepath.Join("/srv/gk", "index")},
		{name: "default under the default data directory",
			want: filepath.Join(DefaultData, "files"), wantIndex: filepath.Join(DefaultData, "index")},
		{name: "the flag", args: []string{"--data", "/srv/gk1", "--files", "/mnt/shared/files/"},
			want: "/mnt/shared/files", wantIndex: filepath.Join("/srv/gk1", "index")},
		{name: "the environment", args: []string{"--data", "/srv/gk2"}, env: map[string]string{"GONGKAI_FILES": "/mnt/nfs/gongkai"},
			want: "/mnt/nfs/gongkai", wantIndex: filepath.Join("/srv/gk2", "index")},
		{name: "the flag wins over the environment", args: []string{"--files", "/a"}, env: map[string]string{"GONGKAI_FILES": "/b"},
			want: "/a", wantIndex: filepath.Join(DefaultData, "index")},
		{name: "the data directory from the environment", env: map[string]string{"GONGKAI_DATA": "/var/lib/gk"},
			want: filepath.Join("/var/lib/gk", "files"), wantIndex: filepath.Join("/var/lib/gk", "index")},
		{name: "a relative directory is kept relative", args: []string{"--files", "shared//files"},
			want: filepath.Join("shared", "files"), wantIndex: filepath.Join(DefaultData, "index")},
	}
	for _, tc := range tests {
		for _, serve := range []bool{true, false} {
			name := tc.name
			if !serve {
				name += " (other commands)"
			}
			t.Run(name, func(t *testing.T) {
				var c Config
				fs := flag.NewFlagSet("cmd", flag.ContinueOnError)
				fs.SetOutput(io.Discard)
				c.Bind(fs, serve)
				if err := fs.Parse(tc.args); err != nil {
					t.Fatal(err)
				}
				if err := c.Resolve(func(k string) string { return tc.env[k] }); err != nil {
					t.Fatal(err)
				}
				if got := c.FilesDir(); got != tc.want {
					t.Errorf("FilesDir() = %q, want %q", got, tc.want)
				}
				if got := c.IndexDir(); got != tc.wantIndex {
					t.Errorf("IndexDir() = %q, want %q (the index stays in the data directory)", got, tc.wantIndex)
				}
			})
		}
	}
}

// A Config built by hand (tests, callers that skip Resolve) keeps the
// file store under its data directory.
func TestFilesDirWithoutResolve(t *testing.T) {
	if got, want := (Config{DataDir: "/d"}).FilesDir(), filepath.Join("/d", "files"); got != want {
		t.Fatalf("FilesDir() = %q, want %q", got, want)
	}
	if got := (Config{DataDir: "/d", Files: "/f"}).FilesDir(); got != "/f" {
		t.Fatalf("FilesDir() = %q, want /f", got)
	}
}
