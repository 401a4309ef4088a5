package pgstore

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/store"
)

// identityQuery describes the database the store is in: PostgreSQL's system
// identifier (another cluster), the current timeline (first 8 hex digits of the current
// WAL file: a point-in-time recovery or a failover starts a new one), the
// database's OID (dropped and created again) and the recovery table's OID
// (pg_restore recreates it).
const identityQuery = `SELECT format('system %s, timeline %s, database %s, table %s',
	(SELECT system_identifier FROM pg_control_system()),
	('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int,
	(SELECT oid FROM pg_database WHERE datname = current_database()),
	'recovery'::regclass::oid)`

// identityWithoutControl is identityQuery for a role that may not read
// pg_control_system() (some managed services).
const identityWithoutControl = `SELECT format('system ?, timeline %s, database %s, table %s',
	('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int,
	(SELECT oid FROM pg_database WHERE datname = current_database()),
	'recovery'::regclass::oid)`

func (s *Store) identity(ctx context.Context) (string, error) {
	var id string
	if err := s.pool.QueryRow(ctx, identityQuery).Scan(&id); err == nil {
		return id, nil
	}
	if err := s.pool.QueryRow(ctx, identityWithoutControl).Scan(&id); err != nil {
		return "", fmt.Errorf("read the database's identity: %w", err)
	}
	return id, nil
}

// Recovered implements store.RecoveryDetector (migration 15): the database
// is not the one the engine last started on when its identity (system
// identifier, timeline, database and table OIDs) changed since. The first
// start records the identity.
func (s *Store) Recovered(ctx context.Context) (string, error) {
	var reason string
	err := s.using(func() error {
		cur, err := s.identity(ctx)
		if err != nil {
			return err
		}
		var pending, recorded string
		if err := s.pool.QueryRow(ctx, "SELECT pending, identity FROM recovery WHERE id = $1", s.part.ID()).Scan(&pending, &recorded); err != nil {
			return fmt.Errorf("read the recovery marker: %w", err)
		}
		switch {
		case pending != "":
			reason = pending
		case recorded == "":
			_, err := s.pool.Exec(ctx, "UPDATE recovery SET identity = $1 WHERE id = $2", cur, s.part.ID())
			return err
		case recorded != cur:
			reason = fmt.Sprintf("the database is not the one the engine last started on (then %s; now %s): "+
				"it was restored from a dump or a base backup, recovered to a point in time, or a replica took over", recorded, cur)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("check postgres store at %s for a recovery: %w", s.host, err)
	}
	return reason, nil
}

// RecoveryHandled implements store.RecoveryDetector: it records the
// database's current identity and clears the marker.
func (s *Store) RecoveryHandled(ctx context.Context) error {
	err := s.using(func() error {
		cur, err := s.identity(ctx)
		if err != nil {
			return err
		}
		_, err = s.pool.Exec(ctx, "UPDATE recovery SET pending = '', identity = $1 WHERE id = $2", cur, s.part.ID())
		return err
	})
	if err != nil {
		return fmt.Errorf("record the recovery of postgres store at %s: %w", s.host, err)
	}
	return nil
}

// Interface guard
var _ store.RecoveryDetector = (*Store)(nil)
