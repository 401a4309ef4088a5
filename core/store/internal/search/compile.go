package search

import (
	"fmt"

	"github.com/example/wf-engine/core/store"
)

// maxList bounds the values of one $in or $notIn.
const maxList = 1000

// cond is one checked condition.
type cond[T any] struct {
	f      *Field[T]
	op     store.Op
	val    any   // normalized scalar
	vals   []any // normalized list ($in, $notIn)
	like   []likeToken
	exists bool
}

// sortKey is one checked sort field.
type sortKey[T any] struct {
	f    *Field[T]
	desc bool
}

// Plan is a checked query over one entity.
type Plan[T any] struct {
	e      *Entity[T]
	conds  []cond[T]
	sort   []sortKey[T] // ends with the key
	from   int
	limit  int
	cursor []any // values of the sort keys after (or before) which the page starts
	before bool
	// restricted plans match only rows of tenants (Query.Tenants not nil).
	restricted bool
	tenants    []string
	// anyOf holds when one of its conditions does (Query.AnyOf).
	anyOf []cond[T]
}

// allowed lists the operators each kind takes.
var allowed = map[Kind][]store.Op{
	KindKey:    {store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn},
	KindInt:    {store.OpEq, store.OpNeq, store.OpExists, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIn, store.OpNotIn},
	KindDate:   {store.OpEq, store.OpNeq, store.OpExists, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIn, store.OpNotIn},
	KindString: {store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn, store.OpLike},
	KindState:  {store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn, store.OpLike},
	KindBool:   {store.OpEq, store.OpNeq, store.OpExists},
	KindList:   {store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn, store.OpLike},
}

func takes(k Kind, op store.Op) bool {
	for _, o := range allowed[k] {
		if o == op {
			return true
		}
	}
	return false
}

// Compile checks a query against an entity. Every problem is a
// *store.QueryError.
func Compile[T any](e *Entity[T], q store.Query) (*Plan[T], error) {
	p := &Plan[T]{e: e, from: q.From, limit: q.Limit}
	if err := p.compileTenants(q.Tenants); err != nil {
		return nil, err
	}
	for _, c := range q.Conditions {
		cc, err := compileCond(e, c)
		if err != nil {
			return nil, err
		}
		p.conds = append(p.conds, cc)
	}
	for _, c := range q.AnyOf {
		cc, err := compileCond(e, c)
		if err != nil {
			return nil, err
		}
		p.anyOf = append(p.anyOf, cc)
	}
	seen := map[string]bool{}
	for _, s := range q.Sort {
		f := e.field(s.Field)
		if f == nil {
			return nil, &store.QueryError{Field: "sort", Msg: fmt.Sprintf("unknown field %q of %s", s.Field, e.Name)}
		}
		if f.Kind == KindList {
			return nil, &store.QueryError{Field: "sort", Msg: fmt.Sprintf("%s cannot be sorted by: it is a list", s.Field)}
		}
		if seen[f.Name] {
			return nil, &store.QueryError{Field: "sort", Msg: fmt.Sprintf("field %q is sorted by twice", s.Field)}
		}
		seen[f.Name] = true
		p.sort = append(p.sort, sortKey[T]{f: f, desc: s.Desc})
	}
	if !seen[e.Key] {
		p.sort = append(p.sort, sortKey[T]{f: e.field(e.Key)})
	}
	switch {
	case q.From < 0:
		return nil, &store.QueryError{Field: "page.from", Msg: fmt.Sprintf("must not be negative, got %d", q.From)}
	case q.Limit < 0:
		return nil, &store.QueryError{Field: "page.limit", Msg: fmt.Sprintf("must not be negative, got %d", q.Limit)}
	case q.Limit > store.MaxLimit:
		return nil, &store.QueryError{Field: "page.limit", Msg: fmt.Sprintf("must be at most %d, got %d", store.MaxLimit, q.Limit)}
	case q.After != "" && q.Before != "":
		return nil, &store.QueryError{Field: "page", Msg: "after and before cannot both be set"}
	case q.From > 0 && (q.After != "" || q.Before != ""):
		return nil, &store.QueryError{Field: "page", Msg: "from cannot be set together with after or before"}
	}
	if p.limit == 0 {
		p.limit = store.DefaultLimit
	}
	if q.After != "" || q.Before != "" {
		field, c := "page.after", q.After
		if q.Before != "" {
			field, c = "page.before", q.Before
			p.before = true
		}
		vals, err := p.decodeCursor(c)
		if err != nil {
			return nil, &store.QueryError{Field: field, Msg: err.Error()}
		}
		p.cursor = vals
	}
	return p, nil
}

func compileCond[T any](e *Entity[T], c store.Condition) (cond[T], error) {
	f := e.field(c.Field)
	if f == nil {
		return cond[T]{}, &store.QueryError{Field: c.Field, Msg: fmt.Sprintf("unknown field of %s", e.Name)}
	}
	op := c.Op
	if op == "" {
		op = store.OpEq
	}
	if !takes(f.Kind, op) {
		return cond[T]{}, &store.QueryError{Field: c.Field, Msg: fmt.Sprintf("operator %q does not apply to a %s field", op, f.Kind)}
	}
	out := cond[T]{f: f, op: op}
	bad := func(err error) (cond[T], error) {
		return cond[T]{}, &store.QueryError{Field: c.Field, Msg: fmt.Sprintf("%s: %v", op, err)}
	}
	switch op {
	case store.OpExists:
		b, ok := c.Value.(bool)
		if !ok {
			return bad(fmt.Errorf("expected a boolean, got %s", typeName(c.Value)))
		}
		out.exists = b
	case store.OpIn, store.OpNotIn:
		xs, ok := list(c.Value)
		if !ok {
			return bad(fmt.Errorf("expected a list, got %s", typeName(c.Value)))
		}
		if len(xs) > maxList {
			return bad(fmt.Errorf("at most %d values are allowed, got %d", maxList, len(xs)))
		}
		out.vals = make([]any, len(xs))
		for i, x := range xs {
			v, err := normalize(f.Kind, f.Enum, x)
			if err != nil {
				return bad(err)
			}
			out.vals[i] = v
		}
	case store.OpLike:
		s, ok := c.Value.(string)
		if !ok {
			return bad(fmt.Errorf("expected a string pattern, got %s", typeName(c.Value)))
		}
		out.val = s
		out.like = parseLike(s)
	default:
		v, err := normalize(f.Kind, f.Enum, c.Value)
		if err != nil {
			return bad(err)
		}
		out.val = v
	}
	return out, nil
}
