// Package element is the contract between the kernel and BPMN element
// handlers: the Handler interface and its optional capabilities, the Context
// of behaviours a handler may call, and the Registry that maps element kinds
// to handlers. Handlers decide; the kernel does. Nothing here touches the
// store, reads the clock, starts goroutines or registers itself in init().
package element
