// Package forward answers the API on a node that does not hold the
// partition's lease (a standby, docs/ha.md "Several engine nodes on one
// database"): it forwards every request to the lease holder's advertised
// address over the internal hop (a reverse proxy that adds the cluster's
// shared secret in HopHeader), and answers liveness and readiness itself.
// The holder authenticates the caller's own credentials as usual; Guard
// checks and removes the hop header there. A forwarded request is never
// forwarded again, and when no holder is known or it cannot be reached the
// answer is 503 with Retry-After. A command whose hop broke after it was
// sent is answered as of unknown outcome (503 without Retry-After) unless
// it carries an Idempotency-Key. It must never process a command itself,
// read the store, or log the secret.
package forward
