// Package subprocess runs the embedded subprocess: a container with its own
// variable scope that starts at its none start event and completes when no
// token is left inside. It never touches the store.
package subprocess
