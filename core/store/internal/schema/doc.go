// Package schema applies the embedded SQL migrations of a durable store with
// golang-migrate: up, one step down, or just report the version. It is given
// an open database driver and must never build connection strings or log
// them.
package schema
