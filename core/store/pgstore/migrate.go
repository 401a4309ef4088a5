package pgstore

import (
	"context"
	"fmt"

	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/example/wf-engine/core/store/internal/schema"
	"github.com/example/wf-engine/migrations"
)

// Migrate runs the embedded migrations against the database at url:
// direction "up" applies every pending one, "down" undoes the last one
// (development only: it drops data), "version" changes nothing. It returns
// the schema version afterwards and whether a migration failed half-way.
// Migrations go to the first schema of the connection's search_path.
func Migrate(ctx context.Context, url string, direction string) (version uint, dirty bool, err error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return 0, false, fmt.Errorf("migrate postgres: %w", errBadURL)
	}
	return migrateConfig(ctx, cfg, direction)
}

func migrateConfig(ctx context.Context, cfg *pgx.ConnConfig, direction string) (uint, bool, error) {
	db := stdlib.OpenDB(*cfg)
	drv, err := pgxmigrate.WithInstance(db, &pgxmigrate.Config{})
	if err != nil {
		_ = db.Close()
		return 0, false, fmt.Errorf("connect for migration: %w", err)
	}
	return schema.Migrate(ctx, migrations.Postgres, migrations.PostgresDir, "pgx5", drv, direction)
}
