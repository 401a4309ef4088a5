// Package parallelgateway runs the parallel gateway: it waits for a token on
// every incoming flow, then takes every outgoing flow. It never touches the store.
package parallelgateway
