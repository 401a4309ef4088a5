package store

import "context"

// ElementStatistics counts the instances of one element (Camunda 8.8's
// element-instance statistics): Active those active without an open
// incident, Incidents those active with one, Completed and Canceled
// (terminated) those that ended.
type ElementStatistics struct {
	ElementID                              string
	Active, Canceled, Incidents, Completed int64
}

// StatisticsQuerier counts element instances per element. Stores implement
// it beside Querier, each with one aggregate query per call.
type StatisticsQuerier interface {
	// ElementStatistics counts, per element id, the element instances of
	// the process instances q selects: q's Conditions, AnyOf and Tenants
	// over the fields of process instances, as SearchProcessInstances takes
	// them (sort and paging do not apply and must be unset). The process
	// instances themselves are not counted. Items are sorted by element id;
	// an element without instances has none.
	ElementStatistics(ctx context.Context, q Query) ([]ElementStatistics, error)
}
