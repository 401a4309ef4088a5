// Package adhocsubprocess runs Camunda 8.8's ad-hoc subprocess: a
// container whose inner elements without incoming sequence flows are
// activated by name, in any order and any number of times, rather than
// from a start event. zeebe:adHoc's activeElementsCollection names those
// it activates with the subprocess; a caller activates more while it runs
// (element.ChildActivator, the activateAdHocSubProcessActivities
// operation). Each time an inner element completes, the completion
// condition is evaluated; when it holds, the inner instances still active
// are terminated (cancelRemainingInstances, the default) or left to
// finish, and the subprocess completes once nothing is left inside.
// Without a completion condition it completes when the last inner instance
// ended. It never touches the store.
package adhocsubprocess
