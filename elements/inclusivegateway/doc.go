// Package inclusivegateway runs the inclusive gateway: it forks on every
// outgoing flow whose condition holds (the default flow when none does) and,
// as a join, waits for every token that can still arrive. It never touches
// the store.
package inclusivegateway
