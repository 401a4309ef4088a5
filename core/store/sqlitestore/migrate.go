package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	sqlitemigrate "github.com/golang-migrate/migrate/v4/database/sqlite"

	"github.com/example/wf-engine/core/store/internal/schema"
	"github.com/example/wf-engine/migrations"
)

// Migrate runs the embedded migrations against the SQLite file at path:
// direction "up" applies every pending one, "down" undoes the last one
// (development only: it drops data), "version" changes nothing. It returns
// the schema version afterwards and whether a migration failed half-way.
func Migrate(ctx context.Context, path string, direction string) (version uint, dirty bool, err error) {
	opts := Options{}
	if err := opts.defaults(); err != nil {
		return 0, false, err
	}
	return migrateDB(ctx, path, opts, direction)
}

func migrateDB(ctx context.Context, path string, opts Options, direction string) (uint, bool, error) {
	db, err := sql.Open("sqlite", dsn(path, opts, roleWriter))
	if err != nil {
		return 0, false, fmt.Errorf("open %s for migration: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	drv, err := sqlitemigrate.WithInstance(db, &sqlitemigrate.Config{})
	if err != nil {
		_ = db.Close()
		return 0, false, fmt.Errorf("open %s for migration: %w", path, err)
	}
	return schema.Migrate(ctx, migrations.SQLite, migrations.SQLiteDir, "sqlite", drv, direction)
}
