// Command worker is an example job worker built on the wf-engine Go SDK: it
// handles the "charge-card" jobs of the example order process (order.bpmn,
// deployed with -deploy), completing them with a charge id, or throwing the
// BPMN error INVALID_AMOUNT for orders without a positive amount. It stops
// gracefully on SIGINT or SIGTERM.
//
// It is an example: it must never import the engine, only the SDK.
package main
