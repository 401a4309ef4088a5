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

// SearchRoller is a store that keeps searches by a start-date range cheap
// over a long history by rolling up in the background, off the commit
// path, as UsageRoller does for usage: it keeps, per start minute, the
// range of keys started in it. Rolling up changes no answer, only its
// cost. (PostgreSQL's element statistics of a definition were rolled up
// here too until migration 38 made them live counters.)
type SearchRoller interface {
	// RollUpSearches rolls up to limit element instances not rolled up
	// yet, in transactions of its own, and reports how many it rolled up
	// and whether more are waiting.
	RollUpSearches(ctx context.Context, limit int) (rolled int, more bool, err error)
}
