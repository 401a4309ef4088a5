// Package linkevent runs link events: a link throw event completes and
// activates the link catch event of the same name in its flow scope, which
// passes its token on. It never touches the store.
package linkevent
