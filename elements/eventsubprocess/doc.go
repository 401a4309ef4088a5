// Package eventsubprocess runs event subprocesses: subprocesses without
// incoming flows that start when the event of their single start event
// (timer, message, signal, error, escalation) happens while their
// enclosing process or subprocess runs. An interrupting one starts after
// every other token of its scope has been terminated; a non-interrupting
// one runs beside them, once per event. The enclosing container waits for
// the start events and decides (element.EventSubprocesses); this package
// only validates the event subprocess and runs it once started. It never
// opens waits itself: the start events' handlers do.
package eventsubprocess
