package search

import "github.com/example/wf-engine/core/store"

// Kind is the type of a searchable field; it decides which operators and
// values the field takes.
type Kind uint8

// Field kinds.
const (
	KindKey Kind = iota + 1
	KindInt
	KindDate
	KindString
	KindState
	KindBool
	// KindList is a list of strings kept as a JSON array; a condition holds
	// when it holds for one entry ($neq and $notIn: for no entry), and
	// $exists means "not empty". Lists cannot be sorted by.
	KindList
)

func (k Kind) String() string {
	switch k {
	case KindKey:
		return "key"
	case KindInt:
		return "integer"
	case KindDate:
		return "date-time"
	case KindString:
		return "string"
	case KindState:
		return "state"
	case KindBool:
		return "boolean"
	case KindList:
		return "list"
	}
	return "unknown"
}

// Field is one searchable and sortable field of an entity.
type Field[T any] struct {
	Name string // Camunda's name, as queries use it
	Kind Kind
	// Expr is the field's SQL expression over the entity's table; it is
	// never NULL.
	Expr string
	// Optional fields may be absent: numbers <= 0 and empty strings are
	// absent. Comparisons never match an absent value; $neq and $notIn do.
	Optional bool
	// Digest marks a field whose index holds a digest of it
	// (Dialect.Digest): $eq compares the digests too, so that the index
	// serves values of any length.
	Digest bool
	// Enum lists the values a state field can have.
	Enum []string
	// Get returns the field's value in a row: int64 for keys, integers and
	// dates (Unix ms, 0 when absent), string, bool, or []string for lists.
	Get func(*T) any
}

// Entity describes one searchable table.
type Entity[T any] struct {
	Name string
	// From is the SQL table; Where, if set, restricts it (process instances
	// are the element instances with flow scope -1).
	From, Where string
	// Columns is the SQL select list that Scan reads.
	Columns string
	// Scan builds a row from the columns, reading them with scan.
	Scan func(scan func(dest ...any) error) (T, error)
	// Key names the field that identifies a row; it breaks every tie.
	Key    string
	Fields []*Field[T]
	// InTenants returns the SQL condition that a row belongs to one of the
	// tenants in list, a parenthesized list of parameters. Nil means the
	// tenantId field's Expr IN list; an entity whose tenant lives in another
	// table sets it so that the database can join instead of looking the
	// tenant up row by row.
	InTenants func(list string) string
	// Variables ties the rows to the variables of each scope that
	// store.VariableCondition may name; a scope that is not here is refused.
	Variables map[store.VariableScope]*VarLink[T]
	// Elements, if set, ties the rows (process instances) to their element
	// instances for store.Query.Elements.
	Elements *VarLink[T]
	// Incidents, if set, ties the rows (process instances) to their open
	// incidents for store.Query.Incidents.
	Incidents *VarLink[T]

	byName map[string]*Field[T]
}

// field returns the field with the given name.
func (e *Entity[T]) field(name string) *Field[T] {
	if e.byName == nil {
		return nil
	}
	return e.byName[name]
}

// index builds the name lookup; entities are package-level values built once.
func (e *Entity[T]) index() *Entity[T] {
	e.byName = make(map[string]*Field[T], len(e.Fields))
	for _, f := range e.Fields {
		e.byName[f.Name] = f
	}
	return e
}

// VarLink ties an entity's rows to the variables of one scope.
type VarLink[T any] struct {
	// Column is the variables column that names the scope:
	// process_instance_key or scope_key. Both are indexed.
	Column string
	// Outer is the SQL expression over the entity's table (qualified by its
	// name) that Column equals.
	Outer string
	// Key returns that value for a row in memory.
	Key func(*T) int64
}
