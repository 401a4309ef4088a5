// Package endevent runs the none end event: it consumes the token, and its
// scope completes when no other token is left. It never touches the store.
package endevent
