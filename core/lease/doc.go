// Package lease keeps a node's lease of a partition (issue 21, docs/ha.md
// "Several nodes"): Acquire waits until the node holds the lease, taking it
// when it is free, expired or released; Held.Keep renews it every third of
// its time to live, gives it up when renewals have failed for longer than
// the time to live minus a margin (before the store's clock can expire it),
// and releases it when the node stops cleanly, so that a standby takes over
// at once. Who holds a lease is decided by the store's clock (store.Leaser);
// the node's clock only decides when to give up, always earlier. Safety
// does not rest on this package: every commit of the holder is fenced by
// the lease's epoch in the store (store.Fencer), so a node that was paused
// past its lease cannot commit. It must never run an engine or write
// anything but leases.
package lease
