// Package exclusivegateway runs the exclusive gateway: it takes the first
// outgoing flow whose condition is true, in document order, else the default
// flow, else raises an incident. It never touches the store.
package exclusivegateway
