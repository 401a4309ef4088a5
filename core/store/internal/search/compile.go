package search

import (
	"errors"
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
	// vars must all hold (Query.Variables); or holds when one of its groups
	// does (Query.Or).
	vars []varCond[T]
	or   []group[T]
	// elems must hold for one element instance of the row (Query.Elements),
	// incs for one open incident (Query.Incidents).
	elems *elemCond[T]
	incs  *incCond[T]
	// variables are the variables that memory plans test vars against, by
	// VarLink column and then by its value (WithVariables).
	variables map[string]map[int64][]store.Variable
	// elements are the element instances that memory plans test elems
	// against, by process instance (WithElements).
	elements map[int64][]store.ElementInstance
	// incidents are the open incidents that memory plans test incs
	// against, by process instance (WithIncidents).
	incidents map[int64][]store.Incident
	// startKeys, when not nil, are the key ranges that hold every row of
	// the plan's start range (withStartKeys, table).
	startKeys []KeyRange
}

// incCond is a checked Query.Incidents: conditions that one open incident
// of the row must meet together.
type incCond[T any] struct {
	link  *VarLink[T]
	conds []cond[store.Incident]
}

// elemCond is a checked Query.Elements: conditions that one element
// instance of the row must meet together.
type elemCond[T any] struct {
	link  *VarLink[T]
	conds []cond[store.ElementInstance]
}

// varCond is one checked variable condition.
type varCond[T any] struct {
	link  *VarLink[T]
	name  string
	conds []cond[store.Variable]
}

// group is one checked alternative of Query.Or.
type group[T any] struct {
	conds []cond[T]
	vars  []varCond[T]
	elems *elemCond[T]
	incs  *incCond[T]
}

// maxVariables bounds the variable conditions and the $or alternatives of
// one query: each costs a subquery or a branch.
const maxVariables = 50

// variableValues is the one field a variable condition's value conditions
// name; vf is the variables table in the EXISTS that varCond.sql writes.
var variableValues = (&Entity[store.Variable]{
	Name: "variable values",
	Fields: []*Field[store.Variable]{
		{Name: "value", Kind: KindString, Expr: "vf.value", Digest: true, Get: func(r *store.Variable) any { return r.Value }},
	},
}).index()

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
	if len(q.Variables) > maxVariables || len(q.Or) > maxVariables {
		return nil, &store.QueryError{Field: "filter", Msg: fmt.Sprintf("at most %d variable conditions and %d $or alternatives are allowed", maxVariables, maxVariables)}
	}
	vars, err := compileVars(e, q.Variables, "variables")
	if err != nil {
		return nil, err
	}
	p.vars = vars
	if p.elems, err = compileElems(e, q.Elements, "elements"); err != nil {
		return nil, err
	}
	if p.incs, err = compileIncs(e, q.Incidents, "incidents"); err != nil {
		return nil, err
	}
	for i, f := range q.Or {
		g := group[T]{}
		for _, c := range f.Conditions {
			cc, err := compileCond(e, c)
			if err != nil {
				return nil, err
			}
			g.conds = append(g.conds, cc)
		}
		if g.vars, err = compileVars(e, f.Variables, fmt.Sprintf("$or[%d].variables", i)); err != nil {
			return nil, err
		}
		if g.elems, err = compileElems(e, f.Elements, fmt.Sprintf("$or[%d].elements", i)); err != nil {
			return nil, err
		}
		if g.incs, err = compileIncs(e, f.Incidents, fmt.Sprintf("$or[%d].incidents", i)); err != nil {
			return nil, err
		}
		p.or = append(p.or, g)
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

// compileVars checks variable conditions; where names them in errors.
func compileVars[T any](e *Entity[T], vs []store.VariableCondition, where string) ([]varCond[T], error) {
	if len(vs) > maxVariables {
		return nil, &store.QueryError{Field: where, Msg: fmt.Sprintf("at most %d variable conditions are allowed, got %d", maxVariables, len(vs))}
	}
	out := make([]varCond[T], 0, len(vs))
	for i, v := range vs {
		link := e.Variables[v.Scope]
		if link == nil {
			return nil, &store.QueryError{Field: fmt.Sprintf("%s[%d]", where, i), Msg: fmt.Sprintf("%s cannot be filtered by variables of scope %q", e.Name, v.Scope)}
		}
		if v.Name == "" {
			return nil, &store.QueryError{Field: fmt.Sprintf("%s[%d].name", where, i), Msg: "must not be empty"}
		}
		vc := varCond[T]{link: link, name: v.Name}
		for _, c := range v.Value {
			cc, err := compileCond(variableValues, c)
			if err != nil {
				var qe *store.QueryError
				if errors.As(err, &qe) {
					return nil, &store.QueryError{Field: fmt.Sprintf("%s[%d].%s", where, i, qe.Field), Msg: qe.Msg}
				}
				return nil, err
			}
			vc.conds = append(vc.conds, cc)
		}
		out = append(out, vc)
	}
	return out, nil
}

// NeedsVariables reports whether the plan tests variables, so that a
// memory store must hand them to WithVariables before Run.
func (p *Plan[T]) NeedsVariables() bool {
	if len(p.vars) > 0 {
		return true
	}
	for i := range p.or {
		if len(p.or[i].vars) > 0 {
			return true
		}
	}
	return false
}

// WithVariables gives a memory plan the variables its variable conditions
// test (every variable the store holds).
func (p *Plan[T]) WithVariables(vs []store.Variable) {
	p.variables = map[string]map[int64][]store.Variable{"process_instance_key": {}, "scope_key": {}}
	for _, v := range vs {
		p.variables["process_instance_key"][v.ProcessInstanceKey] = append(p.variables["process_instance_key"][v.ProcessInstanceKey], v)
		p.variables["scope_key"][v.ScopeKey] = append(p.variables["scope_key"][v.ScopeKey], v)
	}
}

// elementAlias names the element instances of an elemCond's EXISTS; the
// ElementInstances fields' unqualified columns name it there.
const elementAlias = "ei"

// compileElems checks element instance conditions; nil when there are
// none.
func compileElems[T any](e *Entity[T], cs []store.Condition, where string) (*elemCond[T], error) {
	if len(cs) == 0 {
		return nil, nil
	}
	if e.Elements == nil {
		return nil, &store.QueryError{Field: where, Msg: fmt.Sprintf("%s cannot be filtered by their element instances", e.Name)}
	}
	out := &elemCond[T]{link: e.Elements}
	for _, c := range cs {
		cc, err := compileCond(ElementInstances, c)
		if err != nil {
			return nil, err
		}
		out.conds = append(out.conds, cc)
	}
	return out, nil
}

// NeedsElements reports whether the plan tests element instances, so that
// a memory store must hand them to WithElements before Run.
func (p *Plan[T]) NeedsElements() bool {
	if p.elems != nil {
		return true
	}
	for i := range p.or {
		if p.or[i].elems != nil {
			return true
		}
	}
	return false
}

// WithElements gives a memory plan the element instances its element
// conditions test (every element instance the store holds).
func (p *Plan[T]) WithElements(es []store.ElementInstance) {
	p.elements = map[int64][]store.ElementInstance{}
	for _, e := range es {
		p.elements[e.ProcessInstanceKey] = append(p.elements[e.ProcessInstanceKey], e)
	}
}

// incidentAlias names the incidents of an incCond's EXISTS; the Incidents
// fields' unqualified columns name it there.
const incidentAlias = "ic"

// compileIncs checks open incident conditions; nil when there are none.
func compileIncs[T any](e *Entity[T], cs []store.Condition, where string) (*incCond[T], error) {
	if len(cs) == 0 {
		return nil, nil
	}
	if e.Incidents == nil {
		return nil, &store.QueryError{Field: where, Msg: fmt.Sprintf("%s cannot be filtered by their incidents", e.Name)}
	}
	out := &incCond[T]{link: e.Incidents}
	for _, c := range cs {
		cc, err := compileCond(Incidents, c)
		if err != nil {
			return nil, err
		}
		out.conds = append(out.conds, cc)
	}
	return out, nil
}

// NeedsIncidents reports whether the plan tests incidents, so that a
// memory store must hand them to WithIncidents before Run.
func (p *Plan[T]) NeedsIncidents() bool {
	if p.incs != nil {
		return true
	}
	for i := range p.or {
		if p.or[i].incs != nil {
			return true
		}
	}
	return false
}

// WithIncidents gives a memory plan the incidents its incident conditions
// test (every incident the store holds; it keeps the open ones).
func (p *Plan[T]) WithIncidents(is []store.Incident) {
	p.incidents = map[int64][]store.Incident{}
	for _, i := range is {
		if i.State == store.StateActive {
			p.incidents[i.ProcessInstanceKey] = append(p.incidents[i.ProcessInstanceKey], i)
		}
	}
}
