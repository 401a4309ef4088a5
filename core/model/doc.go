// Package model parses BPMN 2.0 XML into an immutable process model and
// validates its structure. It never executes anything, does no I/O beyond the
// reader it is given, and never panics on any input.
//
// Parse reads one BPMN file (as written by the Camunda Modeler) and returns
// its Definitions: the processes with their flow nodes and sequence flows,
// the root-level messages, errors and signals, and the Zeebe extension
// elements (namespace http://camunda.org/schema/zeebe/1.0) that the engine
// needs to run them. Elements are matched on their namespace URI, never on the
// prefix a file happens to use. Diagram interchange, documentation, lanes,
// data objects, artifacts, collaborations and unknown extension elements are
// ignored.
//
// Parse reports every structural problem it finds at once, as a Problems
// value in document order: XML that is not well-formed, duplicate ids,
// dangling references, sequence flows that cross scopes, invalid expressions
// and the like. Along with the problems it returns the partial model of a
// well-formed file, for diagnostics only. Whether an element kind or feature can run is not decided
// here: unknown flow node types are kept as elements with their local name as
// Kind, and features the engine does not run are listed in
// Element.Unsupported, so that deployment can reject them by name.
//
// The returned model is shared and immutable: callers must not modify any
// Definitions, Process, Element or SequenceFlow, nor the slices and maps they
// hold.
package model
