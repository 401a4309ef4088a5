// Package crashtest kills an engine with SIGKILL in the middle of a load and
// checks its durable store afterwards: nothing acknowledged is lost, nothing
// is applied by halves (the log replays to exactly the stored rows), and a
// restarted engine finishes the work. It holds tests only; nothing may
// import it.
package crashtest
