package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/wf-engine/core/store"
)

// Partition leases (migration 32, docs/ha.md "Several nodes"). Every
// statement decides expiry by the database's clock: now() is the same
// clock for every node, whatever their own clocks say.
const (
	// acquireLease inserts the partition's first lease, or takes over one
	// that expired or was released, with the next epoch. INSERT ... ON
	// CONFLICT locks the row it conflicts with and evaluates the WHERE on
	// its newest version, so of two nodes racing for a free lease the
	// second one sees the first one's lease and gets no row back.
	acquireLease = `INSERT INTO partition_leases AS l (partition, node_id, epoch, expires_at, address)
VALUES ($1, $2, 1, now() + make_interval(secs => $3::float8), $4)
ON CONFLICT (partition) DO UPDATE
SET node_id = excluded.node_id, epoch = l.epoch + 1, expires_at = excluded.expires_at, address = excluded.address
WHERE l.expires_at <= now()
RETURNING epoch, EXTRACT(EPOCH FROM l.expires_at - now())::float8`
	// renewLease extends the lease while it is still the caller's epoch,
	// even after its expiry when nobody took it over (nobody else can
	// have committed meanwhile: a takeover changes the epoch).
	renewLease = `UPDATE partition_leases SET expires_at = now() + make_interval(secs => $4::float8)
WHERE partition = $1 AND node_id = $2 AND epoch = $3`
	// releaseLease lets the next node take over at once.
	releaseLease = `UPDATE partition_leases SET expires_at = to_timestamp(0)
WHERE partition = $1 AND node_id = $2 AND epoch = $3`
	readLease = `SELECT node_id, epoch, address, GREATEST(EXTRACT(EPOCH FROM expires_at - now()), 0)::float8
FROM partition_leases WHERE partition = $1`
	// fenceCommit is the first statement of a fenced commit (wf_fence).
	fenceCommit = "SELECT wf_fence($1, $2)"
	// fencedCode is the SQLSTATE wf_fence raises.
	fencedCode = "WF001"
)

// Leases is the PostgreSQL store.Leaser. It uses a small pool of its own,
// so that renewing a lease never waits behind searches for a connection
// of the read pool.
type Leases struct {
	pool *pgxpool.Pool
	host string
	log  *slog.Logger
}

// OpenLeases returns the leases of the database s is on, logging to log
// (nil: nowhere). Close it when done; it does not close s.
func OpenLeases(s *Store, log *slog.Logger) (*Leases, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := s.pool.Config()
	cfg.MinConns, cfg.MaxConns = 0, 2
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("open partition leases in postgres at %s: %w", s.host, err)
	}
	return &Leases{pool: pool, host: s.host, log: log}, nil
}

// Close closes the leases' connections.
func (l *Leases) Close() { l.pool.Close() }

// blockedAfter is how long a takeover waits for a commit that holds the
// lease row before it ends that commit's session: a commit holds it for
// milliseconds, unless its client stopped (paused, or cut off by the
// network) in the middle of sending its batch, when PostgreSQL would keep
// the row locked until the connection dies (TCP keepalive: hours).
const blockedAfter = time.Second

// unblock ends the sessions that block the takeover of pid, if the lease
// is still expired: they are commits of a holder whose time ran out, and
// ending them rolls them back (nothing of them was confirmed to anyone).
const unblock = `SELECT count(pg_terminate_backend(b)) FROM unnest(pg_blocking_pids($1)) AS b
WHERE EXISTS (SELECT 1 FROM partition_leases WHERE partition = $2 AND expires_at <= now())`

// AcquireLease implements store.Leaser.
func (l *Leases) AcquireLease(ctx context.Context, c store.LeaseClaim) (store.Lease, bool, error) {
	lease, won, err := l.acquire(ctx, c)
	if err != nil {
		return store.Lease{}, false, fmt.Errorf("acquire the lease of partition %d in postgres at %s: %w", c.Partition, l.host, err)
	}
	return lease, won, nil
}

func (l *Leases) acquire(ctx context.Context, c store.LeaseClaim) (store.Lease, bool, error) {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return store.Lease{}, false, err
	}
	defer conn.Release()
	pid := conn.Conn().PgConn().PID()
	type result struct {
		epoch     int64
		remaining float64
		err       error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = conn.QueryRow(ctx, acquireLease, c.Partition, c.NodeID, c.TTL.Seconds(), c.Address).Scan(&r.epoch, &r.remaining)
		done <- r
	}()
	wait := blockedAfter
	if deadline, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(deadline)/2)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(wait):
		var ended int
		if err := l.pool.QueryRow(ctx, unblock, pid, c.Partition).Scan(&ended); err == nil && ended > 0 {
			l.log.Warn("ended the sessions of an expired lease's holder that blocked the takeover", "partition", c.Partition, "sessions", ended)
		}
		r = <-done
	}
	if errors.Is(r.err, pgx.ErrNoRows) {
		return store.Lease{}, false, nil
	}
	if r.err != nil {
		return store.Lease{}, false, r.err
	}
	return store.Lease{Partition: c.Partition, NodeID: c.NodeID, Epoch: r.epoch, Address: c.Address, Remaining: seconds(r.remaining)}, true, nil
}

// RenewLease implements store.Leaser.
func (l *Leases) RenewLease(ctx context.Context, held store.Lease, ttl time.Duration) (bool, error) {
	tag, err := l.pool.Exec(ctx, renewLease, held.Partition, held.NodeID, held.Epoch, ttl.Seconds())
	if err != nil {
		return false, fmt.Errorf("renew the lease of partition %d (epoch %d) in postgres at %s: %w", held.Partition, held.Epoch, l.host, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLease implements store.Leaser.
func (l *Leases) ReleaseLease(ctx context.Context, held store.Lease) error {
	if _, err := l.pool.Exec(ctx, releaseLease, held.Partition, held.NodeID, held.Epoch); err != nil {
		return fmt.Errorf("release the lease of partition %d (epoch %d) in postgres at %s: %w", held.Partition, held.Epoch, l.host, err)
	}
	return nil
}

// ReadLease implements store.Leaser.
func (l *Leases) ReadLease(ctx context.Context, partition int32) (store.Lease, bool, error) {
	r := store.Lease{Partition: partition}
	var remaining float64
	err := l.pool.QueryRow(ctx, readLease, partition).Scan(&r.NodeID, &r.Epoch, &r.Address, &remaining)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Lease{}, false, nil
	}
	if err != nil {
		return store.Lease{}, false, fmt.Errorf("read the lease of partition %d in postgres at %s: %w", partition, l.host, err)
	}
	r.Remaining = seconds(remaining)
	return r, true, nil
}

// seconds converts the database's seconds to a duration, saturating.
func seconds(s float64) time.Duration {
	if s <= 0 || math.IsNaN(s) {
		return 0
	}
	if s > float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}

// fence is the lease epoch every commit checks.
type fence struct {
	partition int32
	epoch     int64
}

// FenceCommits implements store.Fencer: every batch bound from now on
// starts with wf_fence(partition, epoch) (migration 32).
func (s *Store) FenceCommits(partition int32, epoch int64) {
	s.fence.Store(&fence{partition: partition, epoch: epoch})
}

// queueFence queues the fence check first in a commit's batch, when the
// store is fenced.
func (s *Store) queueFence(wire *pgconn.Batch) {
	f := s.fence.Load()
	if f == nil {
		return
	}
	params := [][]byte{
		binary.BigEndian.AppendUint32(nil, uint32(f.partition)), // #nosec G115 -- a partition number, 1..4095
		binary.BigEndian.AppendUint64(nil, uint64(f.epoch)),     // #nosec G115 -- an epoch, >= 1
	}
	wire.ExecPrepared("wf_fence", params, binary2, nil)
}

// fenced reports whether err is wf_fence's refusal.
func fenced(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == fencedCode
}

// Interface guards
var (
	_ store.Leaser = (*Leases)(nil)
	_ store.Fencer = (*Store)(nil)
)
