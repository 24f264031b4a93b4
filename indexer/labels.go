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
	pinyin  map[string][]string // unit code → its name's pinyin tokens, filled as asked
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
	l.units, l.columns, l.pinyin = units, cols, map[string][]string{}
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

// unitPinyin returns the pinyin tokens of a unit's name, spelling it once
// per load: every entry of the unit carries them.
func (l *labels) unitPinyin(code string, spell func(string) []string) []string {
	l.mu.RLock()
	toks, ok := l.pinyin[code]
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
	if l.pinyin != nil {
		l.pinyin[code] = toks
	}
	l.mu.Unlock()
	return toks
}
