// Package connectorsuite is the contract suite of connector.Connector: every
// connector runs it from its tests, in every way it is deployed (in process,
// through the gRPC plugin shims, as a real plugin binary under the host), and
// all must behave alike. It is test support: production code must never
// import it (the checks that `wf-engine plugin check` needs live in the
// check subpackage, which does not import testing).
//
// A connector's test calls Run with inputs that provoke each outcome the
// connector can produce:
//
//	connectorsuite.Run(t, myConnector, connectorsuite.Cases{
//		Valid:     map[string]any{"url": srv.URL},
//		Invalid:   map[string]any{"url": 42},
//		BPMNError: &connectorsuite.BPMNCase{Input: ..., Code: "NOT_FOUND"},
//		Error:     &connectorsuite.ErrorCase{Input: ..., Code: "404"},
//		Retryable: map[string]any{"url": srv.URL + "/503"},
//		Block:     map[string]any{"url": srv.URL + "/hang"},
//		Secret:    func(s string) map[string]any { return map[string]any{"url": srv.URL, "token": s} },
//	})
//
// What it checks:
//
//   - the descriptor is valid and stable;
//   - nil and empty input get an answer, never a panic;
//   - Valid succeeds (and passes CheckResult);
//   - Invalid gives a *connector.InputError naming a field, or a
//     *connector.BPMNError;
//   - BPMNError and Retryable give those typed errors, and Error a
//     *connector.Error with its code;
//   - an already cancelled context gives an error that errors.Is
//     context.Canceled; with Block, so do a cancel and a deadline (that one
//     context.DeadlineExceeded) while the connector waits, within a
//     generous bound (a stuck connector fails; no timing is judged beyond
//     that);
//   - a secret placed by Secret or SecretFailure in the input never shows in
//     the result or the error;
//   - Concurrency goroutines calling Describe and Execute at once all succeed
//     (run with -race).
//
// Leaving an optional field empty means the connector cannot produce that
// outcome; the subtest is then not run, and says so in the test log.
//
// Secrets: the suite draws a random secret for each run, so a connector
// cannot pass by recognising it. Secret must put it where the connector uses
// it as a credential (a token, a password header), not in a field the
// connector documents as returned: a connector whose purpose is to hand back
// its input verbatim (the echo example) still has to keep its credential
// fields out of what it returns, and that is what the check holds it to.
package connectorsuite
