package lease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/example/wf-engine/core/store"
)

// ErrLost is wrapped by Keep's error when the node no longer holds the
// lease: another node took it over, or renewals failed for too long.
var ErrLost = errors.New("lost the partition's lease")

// Clock measures renewals. The default reads the monotonic clock, so that
// a jump of the wall clock neither shortens nor stretches a lease.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Config configures a node's lease of one partition.
type Config struct {
	// Leaser keeps the leases (pgstore.Leases).
	Leaser store.Leaser
	// Claim names the partition, this node, its advertised address and
	// the lease's time to live.
	Claim store.LeaseClaim
	// Clock measures renewals; nil: the monotonic clock.
	Clock Clock
	// Logger; nil discards.
	Logger *slog.Logger
	// OnRead, when set, is called with the lease each time a waiting node
	// reads it: a standby forwards to its holder.
	OnRead func(store.Lease)
}

// RenewEvery is how often a holder renews a lease of time to live ttl,
// and how often a waiting node looks at it.
func RenewEvery(ttl time.Duration) time.Duration { return ttl / 3 }

// GiveUpAfter is how long after sending its last successful renewal a
// holder gives the lease up when no renewal succeeded since: the time to
// live minus a fifth of it. The store's clock starts the lease's time to
// live when it runs the renewal, after it was sent, so a holder always
// gives up before the store could let another node take over (provided the
// two clocks run at about the same rate; fencing covers the rest).
func GiveUpAfter(ttl time.Duration) time.Duration { return ttl - ttl/5 }

// expirySlack is how long after a lease's expiry a waiting node tries to
// take it: the store's clock and the node's timer are not one clock.
const expirySlack = 20 * time.Millisecond

type monotonic struct{}

func (monotonic) Now() time.Time                         { return time.Now() }
func (monotonic) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = monotonic{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Held is a lease this node holds.
type Held struct {
	cfg   Config
	lease store.Lease
	// renewed is when the last successful renewal (or the acquisition)
	// was sent, by cfg.Clock.
	renewed time.Time
}

// Lease returns the lease as it was taken.
func (h *Held) Lease() store.Lease { return h.lease }

// Acquire waits until this node holds the partition's lease and returns
// it. A node looks at the lease every RenewEvery(ttl), and right after its
// expiry when it expires sooner; it takes the lease when nobody holds it,
// or its holder's time ran out or it was released. Acquire ends early only
// when ctx does. A store that cannot be reached is retried.
func Acquire(ctx context.Context, cfg Config) (*Held, error) {
	cfg.defaults()
	poll := RenewEvery(cfg.Claim.TTL)
	waiting := false
	for {
		sent := cfg.Clock.Now()
		l, won, err := cfg.try(ctx)
		if won {
			cfg.Logger.Info("took the partition's lease", "partition", l.Partition, "epoch", l.Epoch, "node_id", l.NodeID)
			return &Held{cfg: cfg, lease: l, renewed: sent}, nil
		}
		wait := poll
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			cfg.Logger.Warn("look at the partition's lease", "partition", cfg.Claim.Partition, "error", err)
		case l.Live():
			if !waiting {
				cfg.Logger.Info("another node holds the partition's lease; standing by", "partition", l.Partition,
					"holder", l.NodeID, "epoch", l.Epoch)
				waiting = true
			}
			if l.Remaining < wait {
				wait = l.Remaining + expirySlack
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-cfg.Clock.After(wait):
		}
	}
}

// TryAcquire looks at the partition's lease once and takes it when nobody
// holds it, or its holder's time ran out or it was released (a node that
// spreads partitions over live nodes decides itself when to try). It
// returns the lease held, or nil and the lease as it was read (the zero
// Lease when nobody ever held it).
func TryAcquire(ctx context.Context, cfg Config) (*Held, store.Lease, error) {
	cfg.defaults()
	sent := cfg.Clock.Now()
	l, won, err := cfg.try(ctx)
	if err != nil || !won {
		return nil, l, err
	}
	cfg.Logger.Info("took the partition's lease", "partition", l.Partition, "epoch", l.Epoch, "node_id", l.NodeID)
	return &Held{cfg: cfg, lease: l, renewed: sent}, l, nil
}

// try reads the lease and takes it unless it is live.
func (c Config) try(ctx context.Context) (store.Lease, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, RenewEvery(c.Claim.TTL))
	defer cancel()
	l, ok, err := c.Leaser.ReadLease(ctx, c.Claim.Partition)
	if err != nil {
		return store.Lease{}, false, err
	}
	if ok {
		c.observe(l)
		if l.Live() {
			return l, false, nil
		}
	}
	got, won, err := c.Leaser.AcquireLease(ctx, c.Claim)
	if err != nil || won {
		return got, won, err
	}
	// Another node was faster: read its lease.
	l, ok, err = c.Leaser.ReadLease(ctx, c.Claim.Partition)
	if err == nil && ok {
		c.observe(l)
	}
	return l, false, err
}

func (c Config) observe(l store.Lease) {
	if c.OnRead != nil {
		c.OnRead(l)
	}
}

// Keep renews the lease every RenewEvery(ttl) until ctx ends, then
// releases it (so that another node takes over at once) and returns nil.
// It returns an error wrapping ErrLost as soon as another node holds the
// lease, or when no renewal succeeded for GiveUpAfter(ttl): from then on
// the node must not act as the holder (it stops its engine; its commits
// are fenced anyway). Failed renewals are retried every third of
// RenewEvery(ttl).
func (h *Held) Keep(ctx context.Context) error {
	ttl := h.cfg.Claim.TTL
	every := RenewEvery(ttl)
	wait := every
	for {
		deadline := h.renewed.Add(GiveUpAfter(ttl))
		if left := deadline.Sub(h.cfg.Clock.Now()); left < wait {
			wait = left
		}
		select {
		case <-ctx.Done():
			h.release()
			return nil
		case <-h.cfg.Clock.After(wait):
		}
		sent := h.cfg.Clock.Now()
		if !sent.Before(deadline) {
			return fmt.Errorf("%w: partition %d (epoch %d) was not renewed for %s (lease_ttl %s)",
				ErrLost, h.lease.Partition, h.lease.Epoch, sent.Sub(h.renewed).Round(time.Millisecond), ttl)
		}
		ok, err := h.renew(ctx, deadline.Sub(sent))
		switch {
		case err == nil && ok:
			h.renewed = sent
			wait = every
		case err == nil:
			return fmt.Errorf("%w: another node took partition %d over after epoch %d", ErrLost, h.lease.Partition, h.lease.Epoch)
		case ctx.Err() != nil:
			h.release()
			return nil
		default:
			h.cfg.Logger.Warn("renew the partition's lease", "partition", h.lease.Partition, "epoch", h.lease.Epoch,
				"gives_up_in", deadline.Sub(h.cfg.Clock.Now()).Round(time.Millisecond).String(), "error", err)
			wait = every / 3
		}
	}
}

func (h *Held) renew(ctx context.Context, within time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	return h.cfg.Leaser.RenewLease(ctx, h.lease, h.cfg.Claim.TTL)
}

// release gives the lease up, so that a standby need not wait for its
// expiry; when that fails, the lease expires by itself.
func (h *Held) release() {
	ctx, cancel := context.WithTimeout(context.Background(), RenewEvery(h.cfg.Claim.TTL))
	defer cancel()
	if err := h.cfg.Leaser.ReleaseLease(ctx, h.lease); err != nil {
		h.cfg.Logger.Warn("release the partition's lease; another node takes over once it expires", "partition", h.lease.Partition,
			"epoch", h.lease.Epoch, "error", err)
		return
	}
	h.cfg.Logger.Info("released the partition's lease", "partition", h.lease.Partition, "epoch", h.lease.Epoch)
}
