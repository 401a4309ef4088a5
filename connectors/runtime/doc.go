// Package runtime runs connectors as job workers inside wf-engine: one
// long-polling activation loop per registered job type, a bounded number of
// executions in flight per type, and the same middleware around every
// connector, built in or plugin: secret resolution ({{secrets.NAME}} on a copy
// of the job's variables), a timeout per execution, retries with back-off,
// Camunda's result mapping (resultVariable, resultExpression) and error
// mapping (errorExpression with bpmnError and jobError), metrics, an
// OpenTelemetry span per execution, and redaction of resolved secrets from
// every message it writes. A secret restricted to hosts (Secrets,
// HostRestrictedSource) travels with its allowed hosts in the request's
// SecretHosts; the connector, which alone knows where it sends, enforces them
// (the HTTP connector does; a plugin must, see docs/connectors.md).
//
// It must never call into the kernel other than through its Jobs interface
// (activate, complete, fail, throw error), never write a resolved secret back
// into variables, messages or logs, and never read the environment or
// configuration on its own: cmd/wf-engine hands it what it needs.
//
// # Outcomes
//
// A job ends in exactly one command:
//
//   - success: complete, with the variables of the task's resultVariable and
//     resultExpression headers (nothing when neither is set);
//   - a *connector.BPMNError, or an errorExpression that yields bpmnError():
//     throw error with its code, message and variables;
//   - an errorExpression that yields jobError(): fail with its retries
//     (default: the job's retries minus one) and back-off;
//   - a *connector.InputError, a bad task header (retryBackoff,
//     resultExpression, errorExpression) or an unresolvable secret: fail with
//     no retries left, so that an incident names the problem;
//   - any other error, a timeout or a panic: fail with the job's retries minus
//     one and the task's retryBackoff header (ISO 8601, such as PT10S), or the
//     *connector.RetryableError's back-off when it sets one.
//
// A *connector.Error in a connector error's chain gives the errorExpression
// its error.code, error.message and error.variables (and error.response), in
// process and from a plugin alike.
package runtime
