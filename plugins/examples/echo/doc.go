// Command echo is an example connector plugin and the test double of the
// plugin host: it echoes its input and, when the input asks, throws a BPMN
// error, fails retryably, blocks until cancelled, panics, logs, or crashes
// its process. It must never be deployed for real work: its "crash" action
// ends the process on request.
//
// Input (job type io.wf-engine:echo:1):
//
//	message  string, required: the text to echo
//	action   "echo" (default), "bpmn-error", "retryable", "block" (logs
//	         "echo blocks until cancelled", then waits), "panic", "log" or
//	         "crash"
//	code     the BPMN error code for "bpmn-error" (default ECHO_ERROR)
//	token    a credential: it must be a string; it is checked, never echoed
//
// The response of "echo" is {"message", "input" (the input less token),
// "authenticated" (whether a token came), "tag" (env ECHO_TAG)}.
//
// Environment: ECHO_TAG is echoed back; ECHO_VERSION replaces the
// descriptor's version (a test sets it to an invalid one).
package main
