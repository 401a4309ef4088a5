package storesuite

import (
	"context"
	"testing"

	"github.com/example/wf-engine/core/store"
)

// Option adjusts a run of the suite.
type Option func(*config)

type config struct {
	reopen func(t *testing.T, s store.Store) store.Store
	rows   func(t *testing.T, s store.Store, table string) int64
}

// TableRows lets the suite count the rows of a table of a store with
// tables (SQL), for what no search shows: rows returns how many rows table
// holds in s.
func TableRows(rows func(t *testing.T, s store.Store, table string) int64) Option {
	return func(c *config) { c.rows = rows }
}

// Reopen enables the durability tests: reopen closes s and opens the same
// store again, the way a restarted process would.
func Reopen(reopen func(t *testing.T, s store.Store) store.Store) Option {
	return func(c *config) { c.reopen = reopen }
}

// Run runs the whole suite. open must return a new, empty store each time it
// is called; the suite closes it. Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	t.Helper()
	cfg := &config{}
	for _, o := range opts {
		o(cfg)
	}
	s := &suite{open: open, cfg: cfg}
	tests := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"CommitThenReadLogReturnsIdenticalRecords", s.commitThenReadLog},
		{"ReadLogFromAPosition", s.readLogFrom},
		{"ReadLogOfManyRecordsAndStopping", s.readLogMany},
		{"LoadReturnsExactlyTheLiveRows", s.loadLiveRows},
		{"LoadDropsVariablesOfEndedScopes", s.loadDropsEndedScopes},
		{"LoadDuringCommitsIsOneSnapshot", s.loadDuringCommits},
		{"RowsKeepEveryField", s.rowsKeepEveryField},
		{"DeletedRowsStay", s.deletedRowsStay},
		{"EngineWorkloadRestoresTheLiveState", s.engineWorkload},
		{"ReopenGivesTheSameSnapshot", s.reopen},
		{"FailingCommitLeavesNothingBehind", s.failingCommit},
		{"ReadLogAndSearchDuringCommits", s.concurrentReads},
		{"ClosedStoreRefusesCalls", s.closed},
		{"SearchFiltersByEveryOperator", s.searchFilters},
		{"SearchSortsAndPages", s.searchPaging},
		{"SearchRejectsBadQueries", s.searchErrors},
		{"SearchMatchesTheReferenceStore", s.searchMatchesReference},
		{"SearchUserTasks", s.userTaskSearches},
		{"TenantRowsLoadLive", s.tenantRows},
		{"TenantCommandsRestoreAndReopen", s.tenantWorkload},
		{"SearchRestrictedToTenants", s.tenantSearches},
		{"ElementStatistics", s.elementStatistics},
		{"HistoriesFromEvents", s.histories},
		{"InstancesByDefinitionNameTagAndRetries", s.instanceDefinitionFilters},
		{"Documents", s.documents},
		{"RetentionRemovesFinishedInstancesWhole", s.retention},
		{"RetentionKeepsTheUsageOfRemovedAssignments", s.retentionAssignees},
		{"SearchCapsTheTotal", s.searchTotalCap},
		{"PartitionCountIsKept", s.partitionCount},
		{"UsageStaysExactWhileRolledUp", s.usageRollup},
		{"SearchesStayExactWhileRolledUp", s.searchRollup},
		{"StatisticsFollowMigrationsAndRemovals", s.statisticsAfterMigration},
		{"StartRangePagesInKeyOrder", s.startRangePages},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t)
		})
	}
}

type suite struct {
	open func(t *testing.T) store.Store
	cfg  *config
}

// store opens a store that is closed when the test ends.
func (s *suite) store(t *testing.T) store.Store {
	t.Helper()
	st := s.open(t)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func loader(t *testing.T, s store.Store) store.Loader {
	t.Helper()
	l, ok := s.(store.Loader)
	if !ok {
		t.Fatalf("%T does not implement store.Loader", s)
	}
	return l
}

func querier(t *testing.T, s store.Store) store.Querier {
	t.Helper()
	q, ok := s.(store.Querier)
	if !ok {
		t.Fatalf("%T does not implement store.Querier", s)
	}
	return q
}

func commit(t *testing.T, s store.Store, b *store.Batch) {
	t.Helper()
	if err := s.Commit(context.Background(), b); err != nil {
		t.Fatalf("commit: %v", err)
	}
}
