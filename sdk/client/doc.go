// Package client is a typed Go client for the wf-engine REST API (the
// Camunda 8 Orchestration Cluster API v2 subset that wf-engine serves). It
// covers every served route: topology and status, deployments, process
// definitions and instances, element instances, variables, jobs, messages,
// user tasks, incidents and the engine clock.
//
// It must never import the engine (core/, api/, cmd/): it speaks HTTP only,
// so that workers and tools build against the SDK alone, and it must never
// retry a request that is not safe to repeat.
//
// Keys are int64 in Go and decimal strings on the wire. A non-2xx answer is
// returned as a *Problem (an RFC 9457 problem detail), which errors.As finds;
// IsNotFound and IsConflict check the common cases.
//
// Requests that are safe to repeat (GET, PUT, DELETE, searches, and any
// request sent with an Idempotency-Key header) are retried with exponential
// back-off when the server answers 429 or 503, honouring Retry-After. By
// default the client sends a fresh Idempotency-Key with every mutating POST,
// so those are retried too; the server answers a repeat with the first
// answer. A problem with CommandAccepted (a create whose result could not be
// read, though the instance was created) is never retried.
//
// Authentication is pluggable: BearerToken, BasicAuth,
// OAuth2ClientCredentials or any Auth, for the engine's auth.mode basic and
// oidc. OAuth2ClientCredentials caches one token for all requests; when the
// engine answers 401 to a token that the client still took for valid, it
// fetches a new one and sends the request once more (an Auth that can
// renew its credentials implements Renewer). This is the one case where a
// request that is not otherwise safe to repeat is sent again: the engine
// answers 401 before it runs anything. A 401 or 403 the client cannot cure
// is returned as a *Problem; credentials the client could not get at all
// (the token endpoint refused the client, or could not be reached) are a
// *CredentialsError, and then nothing was sent to the engine. Me tells who
// the engine takes the caller for.
//
// Each call is an OpenTelemetry client span (the global tracer provider
// unless WithTracerProvider), and the context's trace travels on the
// request as W3C traceparent, tracestate and baggage headers, so the
// engine's spans, and the instances a call creates, join the caller's
// trace.
package client
