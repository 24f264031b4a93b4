package indexer

import (
	"context"
	"sync"

	"gongkai/internal/store"
)

// labels are the display names of units and columns, read from the store
// and kept until a unit or tree change says they may have changed.
type labels struct {
	mu      sync.RWMutex
	units   map[string]string
	columns map[string]string
}

func (l *labels) load(ctx context.Context, st *store.Store) error {
	us, err := st.Units(ctx)
	if err != nil {
		return err
	}
	cols, err := st.ColumnNames(ctx)
	if err != nil {
		return err
	}
	units := make(map[string]string, len(us))
	for _, u := range us {
		units[u.Code] = u.Name
	}
	l.mu.Lock()
	l.units, l.columns = units, cols
	l.mu.Unlock()
	return nil
}

func (l *labels) unit(code string) string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if n, ok := l.units[code]; ok {
		return n
	}
	return code
}

func (l *labels) column(code string) string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if n, ok := l.columns[code]; ok {
		return n
	}
	return code
}
