package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	cases := []struct {
		in      string
		want    Rate
		wantErr bool
	}{
		{"5:20", Rate{5, 20}, false},
		{"0.5:1", Rate{0.5, 1}, false},
		{"10", Rate{10, 20}, false},
		{"0.1", Rate{0.1, 1}, false},
		{"off", Rate{}, false},
		{"0", Rate{}, false},
		{"-1:3", Rate{}, true},
		{"5:0", Rate{}, true},
		{"fast", Rate{}, true},
		{"5:x", Rate{}, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseRate(c.in)
			if (err != nil) != c.wantErr || (err == nil && got != c.want) {
				t.Errorf("ParseRate(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.wantErr)
			}
		})
	}
}

func TestLimitsResolve(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, l Limits)
		wantErr string
	}{
		{"defaults", nil, nil, func(t *testing.T, l Limits) {
			if l.MaxInFlight != DefaultMaxInFlight || l.Search != (Rate{5, 20}) || l.Downloads != (Rate{2, 10}) ||
				l.PageCacheBytes != 64<<20 || l.CacheRecheck != 200*time.Millisecond || len(l.TrustedProxies) != 0 {
				t.Errorf("defaults: %+v", l)
			}
		}, ""},
		{"environment", nil, map[string]string{"GONGKAI_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1", "GONGKAI_RATE_ROWS": "off", "GONGKAI_MAX_IN_FLIGHT": "0"},
			func(t *testing.T, l Limits) {
				if len(l.TrustedProxies) != 2 || !l.Rows.Off() || l.MaxInFlight != 0 {
					t.Errorf("from the environment: %+v", l)
				}
			}, ""},
		{"flag wins over environment", []string{"--rate-search", "50:100", "--page-cache-mb", "0"}, map[string]string{"GONGKAI_RATE_SEARCH": "1:1"},
			func(t *testing.T, l Limits) {
				if l.Search != (Rate{50, 100}) || l.PageCacheBytes != 0 {
					t.Errorf("flags: %+v", l)
				}
			}, ""},
		{"bad proxy", []string{"--trusted-proxies", "proxy.example"}, nil, nil, "--trusted-proxies"},
		{"bad rate", nil, map[string]string{"GONGKAI_RATE_DOWNLOADS": "lots"}, nil, "--rate-downloads"},
		{"bad cap", []string{"--max-in-flight", "many"}, nil, nil, "--max-in-flight"},
		{"bad recheck", []string{"--cache-recheck-ms", "-5"}, nil, nil, "--cache-recheck-ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var l Limits
			f := l.Bind(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			err := f.Resolve(func(k string) string { return c.env[k] })
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, l)
		})
	}
}
