// Package startevent runs the none start event: it passes the token of a new
// scope on to its outgoing flows. It never touches the store.
package startevent
