// Package compensationevent runs compensation events as Zeebe does: a
// compensation boundary event names, through an association, the handler
// that undoes the activity it sits on once that activity completed; a
// compensation intermediate throw or end event runs the handlers of its
// scope's completed activities (of one activity with activityRef) and
// waits until they completed. The kernel remembers completed activities as
// compensation subscriptions (element.CompensationBoundary) and runs the
// handlers (element.Compensations). It never touches the store.
package compensationevent
