// Package migrations holds the SQL migrations of the durable stores,
// embedded in the binary: postgres/ for pgstore and sqlite/ for sqlitestore.
// Files are numbered NNNN_name.up.sql and are never edited once merged: a fix
// is a new migration. Production only migrates up; the .down.sql files are
// for development and drop data. The package holds files only and must
// never import a database driver.
package migrations
