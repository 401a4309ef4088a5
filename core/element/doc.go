// Package element is the contract between the kernel and BPMN element
// handlers: the Handler interface and its optional capabilities (Container,
// Joiner, ScopeEnder, Catcher, EventOwner, Attacher, Opener, Starter, ...),
// the contexts of behaviours a handler may call in each lifecycle step
// (context.go), and the Registry that maps element kinds to handlers.
// Handlers decide; the kernel does, and it never names an element kind:
// what is special about an element is a capability here (ADR 0021).
// Nothing here touches the store, reads the clock, starts goroutines or
// registers itself in init().
package element
