// Package process runs the process itself: the root container whose children
// are the top-level flow nodes. It starts the none start event and completes
// the instance when no token is left. It never touches the store.
package process
