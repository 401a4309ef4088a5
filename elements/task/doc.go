// Package task runs the elements that do no work in the engine: the plain
// bpmn:task and the manual task pass their token straight on. It never
// touches the store.
package task
