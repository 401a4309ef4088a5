// Package messageevent runs message events: the intermediate catch event and
// the receive task wait for their message, message boundary events interrupt
// or fork from their activity, and message start events pass their token on
// (the kernel opens their subscriptions at deployment). It never touches the store.
package messageevent
