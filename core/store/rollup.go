package store

import "context"

// UsageRoller is a store that keeps the usage counts (UsageQuerier) of long
// ranges cheap: in the background, off the commit path, it counts the root
// process instances started per tenant and minute, up to the last process
// instance committed, and Usage then adds the counted minutes to the few
// instances above that mark and the minutes at the range's ends, read from
// the rows. Counting changes no answer of Usage, only its cost; retention
// keeps the counts right when it removes counted instances.
type UsageRoller interface {
	// RollUpUsage counts up to limit process instances not counted yet,
	// oldest keys first, in one transaction, and reports how many it
	// counted and whether more are waiting.
	RollUpUsage(ctx context.Context, limit int) (counted int, more bool, err error)
}
