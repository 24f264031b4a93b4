// Command staticserve answers every GET with one file's bytes from
// memory, through Go's net/http and nothing else. scripts/bench-load.sh
// runs it beside nginx as the ceiling of a Go server on the same machine:
// what is left between it and gongkai is gongkai's own work per request.
//
//	go run ./scripts/staticserve -addr 127.0.0.1:8099 -dir DIR
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "loopback address to listen on")
	dir := flag.String("dir", ".", "the folder whose files are served by name (/NAME)")
	flag.Parse()
	files := map[string][]byte{}
	entries, err := os.ReadDir(*dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(*dir, e.Name()))
			if err != nil {
				log.Fatal(err)
			}
			files["/"+e.Name()] = b
		}
	}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	})))
}
