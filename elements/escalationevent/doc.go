// Package escalationevent runs escalation events: escalation throw and end
// events throw their escalation code, and escalation boundary events and
// event subprocess start events catch escalations thrown inside their
// scope (the kernel finds the catching event). It never touches the store.
package escalationevent
