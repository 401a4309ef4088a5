// Package eventgateway runs the event-based gateway: it waits for the first
// of the events after it (timers, messages, receive tasks); that event wins
// and the others' timers and subscriptions close. It never touches the store.
package eventgateway
