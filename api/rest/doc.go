// Package rest serves the Camunda 8.8 Orchestration Cluster REST API (v2)
// over gin, plus /healthz, /readyz and /metrics. Handlers are thin: they
// bind and validate a request, call engine.Client or the store's searches,
// and map the result to the wire types of this package; one function,
// rejectionStatus, maps engine rejections to HTTP status codes. It must
// never hold engine logic, change state other than through engine.Client,
// or answer bad input with anything but a 4xx problem detail. A store that
// is down or busy answers 503 with Retry-After, never 500; and a command
// that committed is never answered as if it failed: a create with
// awaitCompletion answers from the engine's account of the instance's end,
// or with a 503/504 problem that says the command was accepted and names
// the instance (failAccepted), kept for an Idempotency-Key retry.
//
// Integer fields of request bodies take a JSON number or a JSON string
// holding a decimal integer, as Camunda's server reads them: the validator
// rewrites such strings wherever api/openapi.yaml has an integer, before
// any handler decodes the body (numbers.go). The hot routes of a job
// worker's load (create an instance, activate jobs, complete a job) take a
// fast path first (fastbody.go): the body is decoded once and checked by
// hand against the description, and anything but a plainly valid body goes
// down the generic path, which answers as before; their answers are
// written without reflection (answer.go).
//
// Every request gets one log line once answered (requestlog.go: method,
// route template, status, duration, principal, X-Request-Id, and the trace
// and span ids of its span), and PUT /v2/x/log-level changes the server's
// log level at run time (loglevel.go).
package rest
