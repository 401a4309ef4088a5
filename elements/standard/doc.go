// Package standard lists the element handlers that ship with wf-engine, so
// that reviewers see in one place what the engine runs. It never registers
// anything by itself: cmd/ builds the registry by calling Registry.
package standard
