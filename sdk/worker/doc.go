// Package worker runs a job worker against wf-engine: it long-polls for jobs
// of one type, runs a handler for each with bounded concurrency, and reports
// the outcome (complete, fail with a back-off, throw a BPMN error). Each job
// gets an OpenTelemetry span that continues the process instance's trace
// when the job carries a W3C traceparent, and metrics hooks let users count
// jobs without the SDK importing a metrics library.
//
// It authenticates as its client does (client.WithAuth). Failed activations
// are retried with a back-off, except when the engine refuses the worker's
// credentials (401) or its roles (403, a principal without the worker,
// operator or admin role), or the token endpoint refuses the client: then
// Run stops and returns the error, since retrying cannot help.
//
// It talks to the engine only through sdk/client and must never import the
// engine (core/, api/, cmd/). It must never lose a job: a job it activated
// is completed, failed, or, when a shutdown cannot wait for it, handed back
// with its retries unchanged.
package worker
