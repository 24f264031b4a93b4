package cli

import (
	"context"
	"fmt"

	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// backend is what most commands open: the store (migrated, with its
// template) and the file store.
type backend struct {
	cfg   config.Config
	store *store.Store
	files *files.Store
}

func openBackend(ctx context.Context, e *env, cfg config.Config) (*backend, error) {
	if err := cfg.Resolve(e.getenv); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := st.EnsureTemplate(ctx, catalog.DefaultTemplate()); err != nil {
		st.Close()
		return nil, err
	}
	fs, err := files.New(cfg.FilesDir())
	if err != nil {
		st.Close()
		return nil, err
	}
	return &backend{cfg: cfg, store: st, files: fs}, nil
}

func (b *backend) Close() error { return b.store.Close() }
