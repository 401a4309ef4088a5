// Package errorevent runs error events: the error end event throws its
// error code, and error boundary events catch errors thrown inside their
// activity (the kernel finds the catching event). It never touches the store.
package errorevent
