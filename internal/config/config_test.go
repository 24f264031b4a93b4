package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name       string
		flag, env  string
		addr       string
		want, from string
		err        string // part of the error, "" for none
	}{
		{name: "from the environment, trailing slash trimmed", env: "https://gk.linyi.gov.cn/", want: "https://gk.linyi.gov.cn", from: "GONGKAI_BASE_URL"},
		{name: "the flag wins", flag: "https://a.example:8443", env: "https://b.example", want: "https://a.example:8443", from: "--base-url"},
		{name: "a path is kept", env: "https://www.linyi.gov.cn/gongkai/", want: "https://www.linyi.gov.cn/gongkai", from: "GONGKAI_BASE_URL"},
		{name: "spaces around are ignored", env: "  http://gk.example  ", want: "http://gk.example", from: "GONGKAI_BASE_URL"},
		{name: "default from the listen address", addr: "127.0.0.1:9090", want: "http://127.0.0.1:9090", from: "listen address"},
		{name: "a wildcard host is loopback", addr: ":8081", want: "http://127.0.0.1:8081", from: "listen address"},
		{name: "0.0.0.0 is loopback", addr: "0.0.0.0:80", want: "http://127.0.0.1:80", from: "listen address"},
		{name: "an IPv6 wildcard is loopback", addr: "[::]:8080", want: "http://127.0.0.1:8080", from: "listen address"},
		{name: "an IPv6 address is bracketed", addr: "[::1]:8080", want: "http://[::1]:8080", from: "listen address"},
		{name: "the default address", want: "http://127.0.0.1:8080", from: "listen address"},
		{name: "no scheme", env: "gk.linyi.gov.cn", err: "http:// or https://"},
		{name: "another scheme", env: "ftp://gk.example", err: "http:// or https://"},
		{name: "relative", env: "/gongkai", err: "http:// or https://"},
		{name: "no host", env: "https://", err: "no host"},
		{name: "a query", env: "https://gk.example/?x=1", err: "query"},
		{name: "an empty query", env: "https://gk.example/?", err: "query"},
		{name: "a fragment", env: "https://gk.example/#top", err: "fragment"},
		{name: "user information", env: "https://admin:secret@gk.example", err: "user name"},
		{name: "a bad port", env: "https://gk.example:99999", err: "port"},
		{name: "not a URL", env: "https://gk example", err: "not a URL"},
		{name: "the flag is checked too", flag: "gk.example", env: "https://gk.example", err: "--base-url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c.Bind(fs, true)
			args := []string{}
			if tc.flag != "" {
				args = append(args, "--base-url", tc.flag)
			}
			if tc.addr != "" {
				args = append(args, "--addr", tc.addr)
			}
			if err := fs.Parse(args); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"GONGKAI_BASE_URL": tc.env}
			err := c.Resolve(func(k string) string { return env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Site.BaseURL != tc.want || c.BaseURLFrom() != tc.from {
				t.Fatalf("base URL %q from %q, want %q from %q", c.Site.BaseURL, c.BaseURLFrom(), tc.want, tc.from)
			}
		})
	}
}
