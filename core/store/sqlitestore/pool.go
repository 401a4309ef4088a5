package sqlitestore

import (
	"database/sql"

	"github.com/example/wf-engine/core/store"
)

// PoolStats implements store.Pooler: the read pool and the writer's
// connection.
func (s *Store) PoolStats() []store.PoolStats {
	return []store.PoolStats{poolStats("read", s.r), poolStats("write", s.w)}
}

func poolStats(name string, db *sql.DB) store.PoolStats {
	st := db.Stats()
	return store.PoolStats{Name: name, Acquired: st.InUse, Idle: st.Idle, Max: st.MaxOpenConnections,
		Waits: st.WaitCount, WaitTime: st.WaitDuration}
}

// Interface guards
var _ store.Pooler = (*Store)(nil)
