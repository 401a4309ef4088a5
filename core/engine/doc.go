// Package engine is the kernel's processing loop. A Processor turns one
// command into the events it causes, applying each event to the state as it
// is written; an Engine owns a partition: it takes commands in batches from
// one goroutine and hands each processed batch to a committer goroutine,
// which commits it to the store in one transaction and only then answers its
// callers. The loop runs the next commands while a batch commits, all of
// them into one batch that it hands over as soon as the committer is free
// (ADR 40); batches commit in the order they ran, and a failed commit fails
// every batch after it until the state is reloaded. Nothing in command processing reads the wall clock,
// does I/O or iterates maps unsorted. StartStepped (stepper.go) runs the
// same code without goroutines, one batch per call on the caller's
// goroutine, for the deterministic simulator (conformance/sim).
//
// The work and data of one command are bounded by Limits (limits.go): its
// lifecycle steps, how often it takes one sequence flow in one scope (a loop
// without a wait state), the processes of a deployed resource and the bytes
// of variables it writes; the element where a bound is reached gets an
// incident that names the bound's configuration key. Deployments are parsed
// and validated off the loop (Engine.Deploy) and the processes of one
// resource share one parse (models.go).
//
// Commands honour tenants where they look something up (tenancy.go): a
// deployment's tenant owns its definitions; instances are created from the
// request's tenant (none named: the default tenant), called processes from
// the caller's; messages reach their own tenant only; job activation hands
// out jobs of the tenants asked for. Everything an instance creates carries
// its definition's tenant.
//
// AwaitInstance hands a process instance's end to its awaiters once it is
// committed, with the root-scope variables as they were when it ended: the
// processor copies them just before the end is applied (ends.go), only for
// instances somebody awaits and for an instance its own create command
// ends. The copy changes nothing that is written or replayed.
//
// With a tracer (Config.Tracer, tracing.go), each command is a span from
// enqueue to answer with queued, process and store-commit children; job
// activation, handed-out jobs and timer firings are spans too. Spans take
// wall-clock time around processing, never inside it. A creation command
// carries the W3C traceparent of its caller (or of its own span) into the
// instance's state (PROCESS_INSTANCE_CREATION CREATED), and every job of
// the instance gets it as its traceparent custom header (traceparent.go).
//
// Partitions of one store talk through inter-partition commands
// (crossing.go, docs/scaling.md): a processor writes one into its own
// batch, so that it exists exactly when its change committed; a Forwarder
// (forwarder.go), started for each engine of a Config.Crossing, reads the
// other partitions' logs and delivers to its engine the commands for it,
// which the processor applies exactly once (the inbox). Messages cross
// partitions this way (crossmessages.go): a message lives on its
// correlation key's partition, where the subscriptions of instances on
// every partition meet.
package engine
