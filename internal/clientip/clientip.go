// Package clientip decides which address a request comes from: the TCP
// peer, or, when the peer is one of the operator's trusted proxies, the
// right-most address in X-Forwarded-For that is not a trusted proxy. A
// header sent by anyone else is never read, so a client cannot choose the
// address its rate limits and audit records are kept under.
package clientip

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds a request's client address behind the trusted proxies.
// The zero Resolver trusts no proxy: the peer is the client.
type Resolver struct {
	trusted []netip.Prefix
}

// ParseTrusted reads a list of trusted proxies: CIDRs or single
// addresses, separated by commas or spaces ("10.0.0.0/8, 127.0.0.1").
func ParseTrusted(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not a CIDR (e.g. 10.0.0.0/8): %v", f, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an address or a CIDR (e.g. 10.0.0.0/8): %v", f, err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// New builds a resolver that trusts the given proxies.
func New(trusted []netip.Prefix) *Resolver {
	return &Resolver{trusted: append([]netip.Prefix(nil), trusted...)}
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	if r == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Peer is the host part of the request's remote address.
func Peer(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}

// Client is the request's client address. From an untrusted peer it is
// the peer. From a trusted proxy it walks X-Forwarded-For from the right
// (the hop the proxy itself added) and returns the first address that is
// not a trusted proxy; if every address is trusted it is the left-most
// one, and a malformed entry stops the walk at the last good hop, since
// whatever is left of it was written by someone not trusted.
func (r *Resolver) Client(req *http.Request) string {
	peer := Peer(req)
	pa, err := netip.ParseAddr(peer)
	if err != nil || !r.isTrusted(pa) {
		return peer
	}
	client := pa.Unmap()
	hops := forwardedFor(req.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(hops[i])
		if err != nil {
			break
		}
		client = a
		if !r.isTrusted(a) {
			break
		}
	}
	return client.String()
}

// forwardedFor is every X-Forwarded-For entry, in order, over all the
// header's lines.
func forwardedFor(h http.Header) []string {
	var out []string
	for _, line := range h.Values("X-Forwarded-For") {
		for _, f := range strings.Split(line, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// parseHop reads one X-Forwarded-For entry: an address, optionally with a
// port ("1.2.3.4:5678", "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.Addr{}, err
	}
	return ap.Addr().Unmap(), nil
}

type ctxKey struct{}

// WithClient records the resolved client address in ctx.
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, ctxKey{}, addr)
}

// From is the request's client address as resolved by the server's
// front middleware, or the peer for a request that did not pass it (a
// handler tested on its own).
func From(req *http.Request) string {
	if a, ok := req.Context().Value(ctxKey{}).(string); ok && a != "" {
		return a
	}
	return Peer(req)
}

// Middleware resolves every request's client address once, for all the
// handlers behind it.
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req.WithContext(WithClient(req.Context(), r.Client(req))))
	})
}
