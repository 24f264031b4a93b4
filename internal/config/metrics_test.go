package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// resolveServe binds serve's flags, parses args and resolves with the
// environment variable env set to val; when wantErr is not empty the
// error must say it.
func resolveServe(t *testing.T, args []string, env, val, wantErr string) (Config, error) {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs, true)
	c.BindIndex(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	err := c.Resolve(func(k string) string {
		if k == env {
			return val
		}
		return ""
	})
	if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
		t.Fatalf("err %v, want one saying %q", err, wantErr)
	}
	return c, err
}

func TestMetricsAddr(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env, want string
		err       string
	}{
		{name: "unset: on the main address", want: ""},
		{name: "from the environment", env: "127.0.0.1:9090", want: "127.0.0.1:9090"},
		{name: "the flag wins", args: []string{"--metrics-addr", ":9100"}, env: "127.0.0.1:9090", want: ":9100"},
		{name: "no port", env: "127.0.0.1", err: "host:port"},
		{name: "the main address", args: []string{"--addr", "127.0.0.1:8080", "--metrics-addr", "127.0.0.1:8080"}, err: "is the listen address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := resolveServe(t, tc.args, "GONGKAI_METRICS_ADDR", tc.env, tc.err)
			if tc.err != "" {
				return
			}
			if err != nil || c.MetricsAddr != tc.want {
				t.Errorf("MetricsAddr %q (%v), want %q", c.MetricsAddr, err, tc.want)
			}
		})
	}
}
