// Package host runs out-of-process connector plugins for wf-engine: it
// verifies each declared binary's SHA-256 before every start, launches it
// over hashicorp/go-plugin (gRPC, automatic mTLS, only the declared
// environment), fetches and validates its descriptor, pings it
// periodically, restarts it with exponential back-off when it dies, and
// hands the engine one connector.Connector per plugin. It also implements
// `wf-engine plugin check` (Check).
//
// It must never start a binary whose checksum does not match its
// configuration, never pass the engine's own environment to a plugin, and
// never lose a job to a plugin crash: a call cut short by a crash returns a
// *connector.RetryableError so the job is retried.
package host
