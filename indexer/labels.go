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
	spelled map[string][]string // kind + unit code → its name's tokens of that kind, filled as asked
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
	l.units, l.columns, l.spelled = units, cols, map[string][]string{}
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

// unitTokens returns a unit name's tokens of one kind (its words, its
// pinyin), worked out once per load: every entry of the unit carries them.
func (l *labels) unitTokens(code, kind string, spell func(string) []string) []string {
	key := kind + "\x00" + code
	l.mu.RLock()
	toks, ok := l.spelled[key]
	name, known := l.units[code]
	l.mu.RUnlock()
	if ok {
		return toks
	}
	if !known {
		name = code
	}
	toks = spell(name)
	l.mu.Lock()
	if l.spelled != nil {
		l.spelled[key] = toks
	}
	l.mu.Unlock()
	return toks
}
