package store

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"strings"
	"testing"
)

// sslRequestCode opens a connection that asks for TLS (PostgreSQL's
// protocol, "SSLRequest").
const sslRequestCode = 80877103

// fakePostgres listens like a PostgreSQL server without TLS: it answers an
// SSLRequest with 'N' and closes, and reports on first whether the client
// opened with an SSLRequest.
func fakePostgres(t *testing.T) (addr string, first <-chan bool) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan bool, 1)
	go func() {
		// Every connection is answered alike (database/sql may retry);
		// the first one is reported.
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var msg [8]byte
			_, err = io.ReadFull(c, msg[:])
			asks := err == nil && binary.BigEndian.Uint32(msg[:4]) == 8 && binary.BigEndian.Uint32(msg[4:]) == sslRequestCode
			select {
			case ch <- asks:
			default:
			}
			if asks {
				c.Write([]byte{'N'})
			}
			c.Close()
		}
	}()
	return ln.Addr().String(), ch
}

// A URL without sslmode reaches lib/pq as written, so lib/pq's default
// applies (require: the client asks for TLS first); a server without TLS
// is then refused with a hint to add sslmode=disable. With sslmode in the
// URL, that setting rules, and no hint is given.
func TestPostgresURLKeepsLibPQSSLDefault(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	os.Unsetenv("PGSSLMODE")
	tests := []struct {
		name, query string
		asksTLS     bool
		hint        bool
	}{
		{"no sslmode", "", true, true},
		{"no sslmode, other parameters", "?connect_timeout=5&application_name=gongkai", true, true},
		{"sslmode=require", "?sslmode=require", true, false},
		{"sslmode=disable", "?sslmode=disable", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, first := fakePostgres(t)
			dsn := "postgres://gongkai:secret@" + addr + "/gongkai" + tc.query
			s, err := connect(context.Background(), dsn)
			if err == nil {
				s.Close()
				t.Fatal("connected to a fake server")
			}
			if asked := <-first; asked != tc.asksTLS {
				t.Fatalf("client opened with an SSLRequest: %v, want %v", asked, tc.asksTLS)
			}
			if got := strings.Contains(err.Error(), "add ?sslmode=disable"); got != tc.hint {
				t.Errorf("hint %v, want %v: %v", got, tc.hint, err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the password is in the error: %v", err)
			}
		})
	}
}

// PGSSLMODE still works for a URL without sslmode: the store adds none.
func TestPostgresURLLeavesPGSSLMODE(t *testing.T) {
	t.Setenv("PGSSLMODE", "disable")
	addr, first := fakePostgres(t)
	s, err := connect(context.Background(), "postgres://gongkai@"+addr+"/gongkai")
	if err == nil {
		s.Close()
		t.Fatal("connected to a fake server")
	}
	if <-first {
		t.Fatal("PGSSLMODE=disable was overridden: the client asked for TLS")
	}
}
