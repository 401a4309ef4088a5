package migrations

import "embed"

// Postgres holds the PostgreSQL migrations under the directory "postgres".
//
//go:embed postgres/*.sql
var Postgres embed.FS

// SQLite holds the SQLite migrations under the directory "sqlite".
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// The directories of the two sets inside their file systems.
const (
	PostgresDir = "postgres"
	SQLiteDir   = "sqlite"
)
