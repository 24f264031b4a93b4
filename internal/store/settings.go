package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting keys kept in the store.
const (
	SettingIndexFormat = "index_no_format"
)

// Setting returns a setting's value, or def when it is not set.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.get(ctx, &v, `SELECT value FROM settings WHERE key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %q: %w", key, err)
	}
	return v, nil
}

func (t *Tx) setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := t.get(ctx, &v, `SELECT value FROM settings WHERE key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.inTx(ctx, func(t *Tx) error { return t.SetSetting(ctx, key, value) })
}

// SetSetting stores a setting in this transaction.
func (t *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := t.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: set %q: %w", key, err)
	}
	return nil
}
