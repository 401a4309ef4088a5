package engine

import (
	"time"

	"github.com/example/wf-engine/core/store"
)

// crossingOf connects the partitions of stores, stores[i] partition i+1's
// log, for inter-partition commands, with a quick poll.
func crossingOf(stores []store.Store) *Crossing {
	return NewCrossing(int32(len(stores)), func(p int32) (store.Store, error) { return stores[p-1], nil }, // #nosec G115 -- a few partitions
		ForwarderOptions{Poll: 20 * time.Millisecond})
}
