package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

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
			var c Config
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c.Bind(fs, true)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := c.Resolve(func(k string) string {
				if k == "GONGKAI_METRICS_ADDR" {
					return tc.env
				}
				return ""
			})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || c.MetricsAddr != tc.want {
				t.Errorf("MetricsAddr %q (%v), want %q", c.MetricsAddr, err, tc.want)
			}
		})
	}
}
