// Package signalevent runs signal events as Zeebe does: the intermediate
// catch event waits for its signal, signal boundary events interrupt or fork
// from their activity, the intermediate throw and end events broadcast a
// signal carrying their input-mapped variables, and signal start events pass
// their token on (the kernel opens their subscriptions at deployment). A
// signal name may be a FEEL expression, evaluated when the subscription
// opens or the signal is thrown; a start event's must be static. It never
// touches the store.
package signalevent
