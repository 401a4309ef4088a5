package pgstore

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/wf-engine/core/store"
)

// PoolStats implements store.Pooler: the read pool and the commit pool.
func (s *Store) PoolStats() []store.PoolStats {
	return []store.PoolStats{poolStats("read", s.pool), poolStats("write", s.writer)}
}

func poolStats(name string, p *pgxpool.Pool) store.PoolStats {
	st := p.Stat()
	return store.PoolStats{Name: name, Acquired: int(st.AcquiredConns()), Idle: int(st.IdleConns()), Max: int(st.MaxConns()),
		Waits: st.EmptyAcquireCount(), WaitTime: st.AcquireDuration()}
}

// Interface guards
var _ store.Pooler = (*Store)(nil)
