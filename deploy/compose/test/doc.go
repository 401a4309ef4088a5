// Package test checks deploy/compose/compose.yaml: against the compose
// specification's JSON schema (the one compose-go embeds), and for what
// the installation needs: the engine waits for a healthy PostgreSQL, the
// observability services exist only under their profile, every file the
// compose file mounts exists, no secret is written in it, and the
// engine's configuration it assembles passes the engine's own checks. It
// is a Go module of its own, so that compose-go never enters the engine's
// go.mod; `make test-compose` runs it. It must never start containers:
// there may be no container engine where it runs.
package test
