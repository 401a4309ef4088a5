package main

import (
	"context"
	"errors"
	"fmt"

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
}

// maxPartitions is the most partitions a key can name: keys are
// (partition << 51) | n in a positive int64, 12 bits for the partition.
const maxPartitions = 1<<(63-record.KeyPartitionShift) - 1

func defaultClusterConfig() ClusterConfig { return ClusterConfig{Partitions: 1} }

func clusterFlags(fs *pflag.FlagSet, d ClusterConfig) {
	fs.Int("cluster.partitions", d.Partitions, "partitions the store is divided into; fixed when the store is created")
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
