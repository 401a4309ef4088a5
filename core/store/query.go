package store

import (
	"context"
	"fmt"
)

// Op is a filter operator, named as in Camunda's search requests.
type Op string

// Filter operators. Which operators a field accepts depends on its type:
// keys take $eq $neq $exists $in $notIn; numbers and dates take $eq $neq
// $exists $gt $gte $lt $lte $in $notIn; strings and states take $eq $neq
// $exists $in $notIn $like; booleans take $eq $neq $exists.
const (
	OpEq     Op = "$eq"
	OpNeq    Op = "$neq"
	OpExists Op = "$exists"
	OpGt     Op = "$gt"
	OpGte    Op = "$gte"
	OpLt     Op = "$lt"
	OpLte    Op = "$lte"
	OpIn     Op = "$in"
	OpNotIn  Op = "$notIn"
	// OpLike matches Camunda's wildcards: * is any run of characters, ? is
	// one character, and a backslash makes the next character literal.
	OpLike Op = "$like"
)

// Condition restricts one field. Value is a scalar for most operators, a
// bool for $exists and a slice ([]any, []string, []int64 ...) for $in and
// $notIn. Keys and numbers may be given as Go integers, integral float64 or
// decimal strings; dates as time.Time, RFC 3339 strings or Unix
// milliseconds. An empty Op means $eq.
type Condition struct {
	Field string
	Op    Op
	Value any
}

// SortField orders results by one field.
type SortField struct {
	Field string
	Desc  bool
}

// Query is one search: every condition must hold (AND). Results are sorted
// by Sort and then by the entity's key. Paging is by offset (From) or by an
// opaque cursor taken from a previous Page (After: the rows after it;
// Before: the rows before it), never both. Limit 0 means DefaultLimit.
type Query struct {
	Conditions    []Condition
	Sort          []SortField
	From, Limit   int
	After, Before string
	// Tenants restricts the search to the rows of these tenants, as the
	// principal asking may see them. Nil means no restriction (internal
	// callers, authentication off); an empty, non-nil list matches nothing.
	// A tenant id must not be empty, contain a comma or be "*": stores
	// refuse such a list with a *QueryError. Every store applies it to every
	// search; a variable's tenant is its process instance's. pgstore also
	// sets it for PostgreSQL's row-level security when it reads as a read
	// role (pgstore.Options.ReadRole); SQLite and memory have no such
	// second guard.
	Tenants []string
	// AnyOf, when not empty, adds one condition more: at least one of these
	// holds (OR). The API uses it to show a user the tasks it is the
	// assignee or a candidate of.
	AnyOf []Condition
	// Variables restricts the rows to those with a variable of each
	// condition; see VariableCondition.
	Variables []VariableCondition
	// Elements, when not empty, restricts process instances to those with
	// an element instance (the process itself aside) that meets every one
	// of these conditions on element instance fields (Camunda's elementId,
	// elementInstanceState and hasElementInstanceIncident).
	Elements []Condition
	// Incidents, when not empty, restricts process instances to those with
	// an open incident that meets every one of these conditions on incident
	// fields (Camunda's errorMessage).
	Incidents []Condition
	// Or, when not empty, adds one condition more: at least one of these
	// filters holds (Camunda's $or). An empty Filter holds for every row.
	Or []Filter
}

// Filter is a group of restrictions that all hold (AND): one alternative
// of Query.Or.
type Filter struct {
	Conditions []Condition
	Variables  []VariableCondition
	Elements   []Condition
	Incidents  []Condition
}

// VariableScope names the variables a VariableCondition looks at, relative
// to the row searched.
type VariableScope string

// Variable scopes. Not every entity has every scope: process instances
// have VariablesOfInstance, user tasks VariablesOfProcess and
// VariablesLocal; another scope is a *QueryError.
const (
	// VariablesOfInstance are the variables of every scope of the row's
	// process instance (Camunda's process instance "variables" filter).
	VariablesOfInstance VariableScope = "instance"
	// VariablesOfProcess are the variables of the process instance's own
	// scope (Camunda's user task "processInstanceVariables").
	VariablesOfProcess VariableScope = "process"
	// VariablesLocal are the variables of the row's own element instance
	// (Camunda's user task "localVariables").
	VariablesLocal VariableScope = "local"
)

// VariableCondition holds for a row when one variable of Scope is named
// Name and its value, JSON text as variable searches return it (a string
// "abc" is "\"abc\""), meets every condition of Value. Value's conditions
// name the field "value" and take the operators of a string field; none
// means any value.
type VariableCondition struct {
	Scope VariableScope
	Name  string
	Value []Condition
}

// DefaultLimit is the page size of a query without a limit.
const DefaultLimit = 100

// MaxLimit is the largest page a query may ask for.
const MaxLimit = 10000

// TotalCap is the most rows a search counts: Page.Total is at most this,
// and Page.TotalCapped says that more rows match.
const TotalCap = 10000

// Page is one page of search results.
type Page[T any] struct {
	Items []T
	// Total counts the rows that match the conditions, on every page, up
	// to TotalCap: a count over millions of rows cannot answer quickly.
	Total int64
	// TotalCapped is set when more than TotalCap rows match; Total is
	// TotalCap then (Camunda's hasMoreTotalItems).
	TotalCapped bool
	// StartCursor and EndCursor point at the first and last item; both are
	// empty when the page has no items.
	StartCursor, EndCursor string
}

// Querier searches a store's rows, finished ones included. Results reflect
// every batch whose Commit returned.
type Querier interface {
	SearchProcessDefinitions(ctx context.Context, q Query) (Page[ProcessDefinition], error)
	// SearchProcessInstances searches the element instances that are
	// process instances (flow scope -1).
	SearchProcessInstances(ctx context.Context, q Query) (Page[ProcessInstance], error)
	SearchElementInstances(ctx context.Context, q Query) (Page[ElementInstance], error)
	SearchVariables(ctx context.Context, q Query) (Page[Variable], error)
	SearchJobs(ctx context.Context, q Query) (Page[Job], error)
	SearchIncidents(ctx context.Context, q Query) (Page[Incident], error)
}

// QueryError reports a query the store cannot run because it is malformed:
// an unknown field, an operator the field does not take, a value of the
// wrong type or a bad cursor. An API answers it with 400.
type QueryError struct {
	Field string // the field, or "sort", "page.from", "page.after" ...
	Msg   string
}

func (e *QueryError) Error() string {
	if e.Field == "" {
		return "invalid query: " + e.Msg
	}
	return fmt.Sprintf("invalid query: %s: %s", e.Field, e.Msg)
}
