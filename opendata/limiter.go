package opendata

import "sync"

// ExportLimiter caps the downloads running at once per client, so that
// one client cannot hold every database connection and the CPU with
// parallel exports. Its state is its own; each server makes one.
type ExportLimiter struct {
	max    int
	mu     sync.Mutex
	active map[string]int
}

// NewExportLimiter allows max concurrent exports per client key.
func NewExportLimiter(max int) *ExportLimiter {
	return &ExportLimiter{max: max, active: map[string]int{}}
}

// Acquire takes a slot for key. It returns false when key already has max
// exports running; otherwise release must be called when the export ends.
func (l *ExportLimiter) Acquire(key string) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.active[key] >= l.max {
		return nil, false
	}
	l.active[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.active[key]--; l.active[key] <= 0 {
				delete(l.active, key) // the map holds only clients exporting now
			}
		})
	}, true
}

// Active returns the exports running for key.
func (l *ExportLimiter) Active(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.active[key]
}
