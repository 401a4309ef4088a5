package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// ClusterConfig configures how the engine's work is divided (issue 21).
type ClusterConfig struct {
	// Partitions is how many partitions the store is divided into: fixed
	// when the store is created (the store keeps it; another count is
	// refused at start), 1 by default.
	Partitions int `koanf:"partitions"`
	// NodeID names this node among the engine nodes on one PostgreSQL
	// database (the partition lease's holder); default: the host name and
	// the process id, so a restarted process is another node.
	NodeID string `koanf:"node_id"`
	// AdvertiseAddress is the URL other nodes forward requests to this
	// node at (http(s)://host:port); default: the scheme of http.*, the
	// host of http.address (the host name when it names none) and the
	// port the server listens on.
	AdvertiseAddress string `koanf:"advertise_address"`
	// LeaseTTL is how long a partition lease lasts unless renewed: a
	// node renews it every third of it, and a standby takes over within
	// it after its holder died.
	LeaseTTL time.Duration `koanf:"lease_ttl"`
	// Secret is shared by the nodes on one database: a standby forwards
	// requests with it, and the holder takes only forwarded requests that
	// carry it. Empty: standbys answer 503 instead of forwarding.
	Secret string `koanf:"secret"`
}

// maxPartitions is the most partitions a key can name: keys are
// (partition << 51) | n in a positive int64, 12 bits for the partition.
const maxPartitions = 1<<(63-record.KeyPartitionShift) - 1

// Bounds of cluster.lease_ttl: a shorter lease is lost to a pause of the
// process or the database; a longer one leaves the partition without an
// engine for longer when its holder dies. The default keeps a takeover
// after a kill (2/3 of the ttl to all of it, plus the restore) under the
// 5 s of issue 21; with 5 s it took up to 5.13 s (docs/ha.md).
const (
	defaultLeaseTTL = 4 * time.Second
	minLeaseTTL     = time.Second
	maxLeaseTTL     = 2 * time.Minute
	// minSecretBytes is the shortest cluster.secret taken.
	minSecretBytes = 16
)

func defaultClusterConfig() ClusterConfig {
	return ClusterConfig{Partitions: 1, LeaseTTL: defaultLeaseTTL}
}

func clusterFlags(fs *pflag.FlagSet, d ClusterConfig) {
	fs.Int("cluster.partitions", d.Partitions, "partitions the store is divided into; fixed when the store is created")
	fs.String("cluster.node_id", d.NodeID, "this node's name among the nodes on one PostgreSQL database (default: host name and process id)")
	fs.String("cluster.advertise_address", d.AdvertiseAddress, "URL other nodes forward requests to this node at (default: from http.address)")
	fs.Duration("cluster.lease_ttl", d.LeaseTTL, "how long a partition lease lasts unless renewed (renewed every third of it)")
}

// validate adds what is wrong with the cluster configuration on a store of
// the given kind.
func (c ClusterConfig) validate(kind storeKind, add func(format string, args ...any)) {
	switch n := c.Partitions; {
	case n < 1 || n > maxPartitions:
		add("cluster.partitions: must be between 1 and %d, got %d", maxPartitions, n)
	case n > 1 && kind == storeSQLite:
		// One writer lock serializes every commit to a SQLite file: more
		// partitions would queue on it and gain nothing (docs/scaling.md).
		add("cluster.partitions: SQLite is single-node and runs one partition (one file, one writer); "+
			"use PostgreSQL (database.url postgres://...) for more, got %d", n)
	}
	c.validateNodes(kind, add)
}

// validateNodes adds what is wrong with the keys of several nodes on one
// database: only PostgreSQL has them.
func (c ClusterConfig) validateNodes(kind storeKind, add func(format string, args ...any)) {
	if kind != storePostgres {
		for key, set := range map[string]bool{"cluster.node_id": c.NodeID != "", "cluster.advertise_address": c.AdvertiseAddress != "",
			"cluster.secret": c.Secret != "", "cluster.lease_ttl": c.LeaseTTL != defaultLeaseTTL} {
			if set {
				add("%s: several engine nodes need PostgreSQL (database.url postgres://...); the %s store is single-node "+
					"(one process runs the engine, see docs/ha.md)", key, kind)
			}
		}
		return
	}
	if c.LeaseTTL < minLeaseTTL || c.LeaseTTL > maxLeaseTTL {
		add("cluster.lease_ttl: must be between %s and %s, got %s", minLeaseTTL, maxLeaseTTL, c.LeaseTTL)
	}
	if len(c.NodeID) > 255 || strings.ContainsFunc(c.NodeID, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) {
		add("cluster.node_id: expected at most 255 printable characters without spaces, got %q", c.NodeID)
	}
	if c.AdvertiseAddress != "" {
		if err := checkAdvertiseAddress(c.AdvertiseAddress); err != nil {
			add("cluster.advertise_address: %v", err)
		}
	}
	if c.Secret != "" && len(c.Secret) < minSecretBytes {
		add("cluster.secret: must be at least %d bytes long (got %d)", minSecretBytes, len(c.Secret))
	}
}

// checkPartitions records cluster.partitions in a new store and refuses a
// count other than the one the store was created with.
func checkPartitions(ctx context.Context, c ClusterConfig, s store.Store) error {
	err := store.CheckPartitions(ctx, s, int32(c.Partitions)) // #nosec G115 -- validate bounds it by maxPartitions
	var changed *store.PartitionsChangedError
	if errors.As(err, &changed) {
		return fmt.Errorf("cluster.partitions is %d, but the store was created with %d partition(s) and keeps that count "+
			"(every key names its partition): set cluster.partitions to %d, or start on a new store", changed.Configured, changed.Stored, changed.Stored)
	}
	return err
}
