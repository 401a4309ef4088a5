package tables

import (
	"fmt"
	"strings"

	"github.com/example/wf-engine/core/store"
)

// Part is the share of the shared tables one partition of a store reads
// and writes (store.Partitioned): its meta and anchor rows (id = P), its
// positions in the log and the checkpoints, and the keys of the
// per-instance tables. The zero Part, or one of a store that keeps one
// partition, is the whole store: its queries are the ones of a store
// before partitions, word for word.
type Part struct {
	// P is the partition, Count how many the store keeps.
	P, Count int32
}

// Split reports whether the store has more than one partition, so that
// p's queries read p's share only.
func (p Part) Split() bool { return p.Count > 1 }

// ID is the partition's meta and anchor row.
func (p Part) ID() int32 { return max(p.P, 1) }

// Positions is the SQL condition that a position column (col) is in the
// partition's range, "" for the whole store.
func (p Part) Positions(col string) string {
	if !p.Split() {
		return ""
	}
	return fmt.Sprintf("%s > %d AND %s < %d", col, store.PositionBase(p.P), col, store.PositionEnd(p.P))
}

// Keys is the SQL condition that a key column (col) is one the partition
// owns (store.OwnsKey), "" for the whole store.
func (p Part) Keys(col string) string {
	switch {
	case !p.Split():
		return ""
	case p.P == 1:
		return fmt.Sprintf("%s < %d", col, store.KeyEnd(1))
	}
	return fmt.Sprintf("%s >= %d AND %s < %d", col, store.KeyBase(p.P), col, store.KeyEnd(p.P))
}

// AndPositions is " AND " and Positions(col), or "".
func (p Part) AndPositions(col string) string { return and(p.Positions(col)) }

// AndKeys is " AND " and Keys(col), or "".
func (p Part) AndKeys(col string) string { return and(p.Keys(col)) }

// WherePositions is " WHERE " and Positions(col), or "".
func (p Part) WherePositions(col string) string {
	if c := p.Positions(col); c != "" {
		return " WHERE " + c
	}
	return ""
}

func and(cond string) string {
	if cond == "" {
		return ""
	}
	return " AND " + cond
}

// Start is the position before the partition's first: 0 for the whole
// store.
func (p Part) Start() int64 {
	if !p.Split() {
		return 0
	}
	return store.PositionBase(p.P)
}

// partQueries are the queries of the log's bookkeeping for one Part.
type partQueries struct {
	meta, anchor, checkpointInfo, checkpoint, head, lastSegment, checkpointHash, uncovered, lastHash, chainEnd string
}

// queries returns p's queries; the whole store's are the constants.
func (p Part) queries() partQueries {
	if !p.Split() {
		return partQueries{meta: LoadMeta, anchor: AnchorQuery, checkpointInfo: CheckpointInfoQuery, checkpoint: CheckpointQuery,
			head: headQuery, lastSegment: lastSegmentQuery, checkpointHash: CheckpointHashQuery, uncovered: uncoveredQuery,
			lastHash: LastHashQuery, chainEnd: ChainEnd}
	}
	id := p.ID()
	first := p.WherePositions("first_position")
	return partQueries{
		meta:           fmt.Sprintf("SELECT last_key, last_position FROM meta WHERE id = %d", id),
		anchor:         fmt.Sprintf("SELECT position, hash FROM log_anchor WHERE id = %d", id),
		checkpointInfo: "SELECT position, hash, created_ms, state_bytes, length(data) FROM log_checkpoints" + p.WherePositions("position") + " ORDER BY position DESC LIMIT 1",
		checkpoint:     "SELECT position, hash, created_ms, state_bytes, length(data), data FROM log_checkpoints" + p.WherePositions("position") + " ORDER BY position DESC LIMIT 1",
		head:           fmt.Sprintf("SELECT last_position FROM meta WHERE id = %d", id),
		lastSegment:    "SELECT first_position FROM log_segments" + first + " ORDER BY first_position DESC LIMIT 1",
		checkpointHash: "SELECT last_position, hash FROM log_segments" + first + " ORDER BY first_position DESC LIMIT 1",
		// The %d is the position the segment must be after.
		uncovered: "SELECT last_position, data FROM log_segments WHERE first_position > %d" + p.AndPositions("first_position") +
			" ORDER BY first_position LIMIT 1",
		lastHash: "SELECT hash FROM log_segments" + first + " ORDER BY first_position DESC LIMIT 1",
		chainEnd: fmt.Sprintf("SELECT (SELECT last_position FROM meta WHERE id = %d), coalesce((SELECT max(position) FROM log%s), 0)",
			id, p.WherePositions("position")),
	}
}

// LastHashQuery reads the hash of the partition's last log segment (see
// the constant LastHashQuery).
func (p Part) LastHashQuery() string { return p.queries().lastHash }

// ChainEnd is the End query of ChainQueries for the partition.
func (p Part) ChainEnd() string { return p.queries().chainEnd }

// AnchorQuery reads the partition's chain anchor.
func (p Part) AnchorQuery() string { return p.queries().anchor }

// LoadVariablesLateral is LoadVariablesLateral for the partition: the
// variables of its active process instances.
func (p Part) LoadVariablesLateral() string {
	if !p.Split() {
		return LoadVariablesLateral
	}
	return strings.Replace(LoadVariablesLateral, "p.instance_state = 'ACTIVE'", "p.instance_state = 'ACTIVE'"+p.AndKeys("p.key"), 1)
}

// loadQuery adds the partition's key condition to a load statement of a
// per-instance table ("... WHERE cond ORDER BY key").
func (p Part) loadQuery(query string) string {
	if !p.Split() {
		return query
	}
	return strings.Replace(query, " ORDER BY key", p.AndKeys("key")+" ORDER BY key", 1)
}
