// Package callactivity runs the call activity: it starts an instance of
// another process (zeebe:calledElement, static or FEEL), hands it variables,
// and completes when that instance completes. It never touches the store.
package callactivity
