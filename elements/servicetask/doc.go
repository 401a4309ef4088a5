// Package servicetask runs the service task: on activation it evaluates the
// zeebe:taskDefinition type and retries and creates a job; a worker's
// completion completes the task. It never touches the store.
package servicetask
