package rest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

// fieldKind is the type of a filter field; it decides the operators and
// values the field takes.
type fieldKind uint8

const (
	kindKey fieldKind = iota + 1
	kindInt
	kindDate
	kindString
	kindEnum
	kindBool
)

var kindOps = map[fieldKind][]store.Op{
	kindKey:    {store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn},
	kindInt:    {store.OpEq, store.OpNeq, store.OpExists, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIn, store.OpNotIn},
	kindDate:   {store.OpEq, store.OpNeq, store.OpExists, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIn, store.OpNotIn},
	kindString: {store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn, store.OpLike},
	kindEnum:   {store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn, store.OpLike},
	kindBool:   {store.OpEq, store.OpNeq, store.OpExists},
}

// filterField describes one filter field of a search.
type filterField struct {
	kind fieldKind
	enum []string
}

// searchSpec lists what one search endpoint accepts.
type searchSpec struct {
	name    string
	filters map[string]filterField
	sorts   []string
	// or admits Camunda's $or: an array of filter objects of the same
	// fields (without $or), one of which must hold.
	or bool
	// vars names the filter fields that hold variable filters (arrays of
	// {name, value}) and the variables each looks at.
	vars map[string]store.VariableScope
	// elements names the filter fields that one element instance of a
	// process instance must meet together (store.Query.Elements), with the
	// element instance field each filters.
	elements map[string]elementFilter
	// incidents names the filter fields that one open incident of a
	// process instance must meet together (store.Query.Incidents).
	incidents map[string]elementFilter
	// sets names the filter fields that take an array of strings, each of
	// which a row's list must hold (process instance tags).
	sets map[string]bool
}

// elementFilter is a process instance filter field on its element
// instances.
type elementFilter struct {
	field string
	f     filterField
}

// parseSearch turns a search body into a store query; it answers 400 and
// returns false when the body is wrong.
func (s *Server) parseSearch(c *gin.Context, spec *searchSpec) (store.Query, bool) {
	var req SearchRequest
	if !s.bind(c, &req, true) {
		return store.Query{}, false
	}
	q, err := buildQuery(&req, spec)
	if err != nil {
		s.fail(c, "", err)
		return store.Query{}, false
	}
	q.Tenants = s.readTenants(c.Request.Context())
	return q, true
}

// orKey is the filter member that holds alternatives.
const orKey = "$or"

// maxFilterItems bounds the $or alternatives and the variable filters of
// one search.
const maxFilterItems = 50

func buildQuery(req *SearchRequest, spec *searchSpec) (store.Query, error) {
	var q store.Query
	top, err := parseFilterObject(spec, req.Filter, "filter", true)
	if err != nil {
		return q, err
	}
	q.Conditions, q.Variables, q.Elements, q.Incidents, q.Or = top.Conditions, top.Variables, top.Elements, top.Incidents, top.or
	for i, so := range req.Sort {
		if !slices.Contains(spec.sorts, so.Field) {
			return q, bindErrorf("sort[%d].field: cannot sort %s by '%s' (supported: %s)", i, spec.name, so.Field, strings.Join(spec.sorts, ", "))
		}
		desc := false
		switch strings.ToUpper(so.Order) {
		case "", "ASC":
		case "DESC":
			desc = true
		default:
			return q, bindErrorf("sort[%d].order: expected ASC or DESC, got '%s'", i, so.Order)
		}
		q.Sort = append(q.Sort, store.SortField{Field: so.Field, Desc: desc})
	}
	if p := req.Page; p != nil {
		if p.From != nil && (p.After != "" || p.Before != "") || p.After != "" && p.Before != "" {
			return q, bindErrorf("page: Both after/before and from cannot be set at the same time")
		}
		if p.From != nil {
			q.From = *p.From
		}
		if p.Limit != nil {
			q.Limit = *p.Limit
		}
		var err error
		if q.After, err = storeCursor("page.after", p.After); err != nil {
			return q, err
		}
		if q.Before, err = storeCursor("page.before", p.Before); err != nil {
			return q, err
		}
	}
	if q.Limit == 0 {
		q.Limit = store.DefaultLimit
	}
	return q, nil
}

// filterObject is what one filter object holds.
type filterObject struct {
	store.Filter
	or []store.Filter
}

// parseFilterObject reads one filter object: at where ("filter" or
// "filter.$or[i]"); top admits $or.
func parseFilterObject(spec *searchSpec, obj map[string]json.RawMessage, where string, top bool) (filterObject, error) {
	var out filterObject
	names := make([]string, 0, len(obj))
	for n := range obj {
		names = append(names, n)
	}
	sort.Strings(names) // stable error messages and condition order
	for _, name := range names {
		raw := obj[name]
		if name == orKey && spec.or && top {
			alts, err := parseOr(spec, raw, where+"."+orKey)
			if err != nil {
				return out, err
			}
			out.or = alts
			continue
		}
		if scope, ok := spec.vars[name]; ok {
			vars, err := parseVariableFilters(scope, raw, where+"."+name)
			if err != nil {
				return out, err
			}
			out.Variables = append(out.Variables, vars...)
			continue
		}
		if ef, ok := spec.elements[name]; ok {
			conds, err := parseFilter(where+"."+name, ef.field, ef.f, raw)
			if err != nil {
				return out, err
			}
			out.Elements = append(out.Elements, conds...)
			continue
		}
		if ef, ok := spec.incidents[name]; ok {
			conds, err := parseFilter(where+"."+name, ef.field, ef.f, raw)
			if err != nil {
				return out, err
			}
			out.Incidents = append(out.Incidents, conds...)
			continue
		}
		if spec.sets[name] {
			var values []string
			if err := json.Unmarshal(raw, &values); err != nil {
				return out, bindErrorf("%s.%s: expected an array of strings", where, name)
			}
			for _, v := range values {
				out.Conditions = append(out.Conditions, store.Condition{Field: name, Op: store.OpEq, Value: v})
			}
			continue
		}
		f, ok := spec.filters[name]
		if !ok {
			return out, bindErrorf("%s.%s: not a filter field of %s searches (supported: %s)", where, name, spec.name, strings.Join(spec.filterNames(top), ", "))
		}
		conds, err := parseFilter(where+"."+name, name, f, raw)
		if err != nil {
			return out, err
		}
		out.Conditions = append(out.Conditions, conds...)
	}
	return out, nil
}

// parseOr reads $or: a non-empty array of filter objects.
func parseOr(spec *searchSpec, raw json.RawMessage, where string) ([]store.Filter, error) {
	var objs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &objs); err != nil {
		return nil, bindErrorf("%s: expected an array of filter objects", where)
	}
	if len(objs) == 0 || len(objs) > maxFilterItems {
		return nil, bindErrorf("%s: expected 1 to %d filter objects, got %d", where, maxFilterItems, len(objs))
	}
	out := make([]store.Filter, 0, len(objs))
	for i, o := range objs {
		f, err := parseFilterObject(spec, o, fmt.Sprintf("%s[%d]", where, i), false)
		if err != nil {
			return nil, err
		}
		out = append(out, f.Filter)
	}
	return out, nil
}

// VariableValueFilter is one of Camunda's variable filters: a variable
// named name whose value (JSON text) meets value, a string filter.
type VariableValueFilter struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// parseVariableFilters reads an array of variable filters.
func parseVariableFilters(scope store.VariableScope, raw json.RawMessage, where string) ([]store.VariableCondition, error) {
	var items []VariableValueFilter
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, bindErrorf("%s: expected an array of {name, value} objects", where)
	}
	if len(items) > maxFilterItems {
		return nil, bindErrorf("%s: at most %d variable filters are allowed, got %d", where, maxFilterItems, len(items))
	}
	out := make([]store.VariableCondition, 0, len(items))
	for i, it := range items {
		at := fmt.Sprintf("%s[%d]", where, i)
		if it.Name == "" {
			return nil, bindErrorf("%s.name: required, a variable name", at)
		}
		v := bytes.TrimSpace(it.Value)
		if len(v) == 0 || bytes.Equal(v, []byte("null")) {
			return nil, bindErrorf("%s.value: required, the variable's value as JSON text or a string filter", at)
		}
		conds, err := parseFilter(at+".value", "value", text, v)
		if err != nil {
			return nil, err
		}
		if len(conds) == 0 {
			return nil, bindErrorf("%s.value: expected a value or at least one operator", at)
		}
		out = append(out, store.VariableCondition{Scope: scope, Name: it.Name, Value: conds})
	}
	return out, nil
}

// filterNames lists the filter fields a filter object takes, sorted.
func (spec *searchSpec) filterNames(top bool) []string {
	out := make([]string, 0, len(spec.filters)+len(spec.vars)+1)
	for k := range spec.filters {
		out = append(out, k)
	}
	for k := range spec.vars {
		out = append(out, k)
	}
	for k := range spec.elements {
		out = append(out, k)
	}
	for k := range spec.incidents {
		out = append(out, k)
	}
	for k := range spec.sets {
		out = append(out, k)
	}
	if spec.or && top {
		out = append(out, orKey)
	}
	sort.Strings(out)
	return out
}

// parseFilter reads one filter field at where: a plain value means $eq, an
// object holds operators.
func parseFilter(where, name string, f filterField, raw json.RawMessage) ([]store.Condition, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		v, err := filterValue(where, f, raw)
		if err != nil {
			return nil, err
		}
		return []store.Condition{{Field: name, Op: store.OpEq, Value: v}}, nil
	}
	var ops map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, bindErrorf("%s: %s", where, describeJSONError(err))
	}
	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []store.Condition
	for _, k := range keys {
		op := store.Op(k)
		if !slices.Contains(kindOps[f.kind], op) {
			return nil, bindErrorf("%s: operator '%s' is not supported for this field (supported: %s)", where, k, opsList(f.kind))
		}
		var v any
		var err error
		switch op {
		case store.OpExists:
			var b bool
			if err = json.Unmarshal(ops[k], &b); err != nil {
				return nil, bindErrorf("%s.%s: expected true or false", where, k)
			}
			v = b
		case store.OpIn, store.OpNotIn:
			var items []json.RawMessage
			if err = json.Unmarshal(ops[k], &items); err != nil {
				return nil, bindErrorf("%s.%s: expected an array", where, k)
			}
			list := make([]any, 0, len(items))
			for _, it := range items {
				x, err := filterValue(where+"."+k, f, it)
				if err != nil {
					return nil, err
				}
				list = append(list, x)
			}
			v = list
		case store.OpLike:
			var str string
			if err = json.Unmarshal(ops[k], &str); err != nil {
				return nil, bindErrorf("%s.%s: expected a string pattern", where, k)
			}
			v = str
		default:
			if v, err = filterValue(where+"."+k, f, ops[k]); err != nil {
				return nil, err
			}
		}
		out = append(out, store.Condition{Field: name, Op: op, Value: v})
	}
	return out, nil
}

func opsList(k fieldKind) string {
	var out []string
	for _, op := range kindOps[k] {
		out = append(out, string(op))
	}
	return strings.Join(out, " ")
}

// filterValue reads one scalar of a filter field at where.
func filterValue(where string, f filterField, raw json.RawMessage) (any, error) {
	switch f.kind {
	case kindKey:
		var k Key
		if err := k.UnmarshalJSON(raw); err != nil {
			return nil, bindErrorf("%s: %v", where, err)
		}
		return int64(k), nil
	case kindInt:
		// A number, or a string holding one, as Camunda's server reads
		// integers (numbers.go).
		n, err := integerValue(raw, 64)
		if err != nil {
			return nil, bindErrorf("%s: expected an integer (a JSON number or a string holding a decimal integer), got %s", where, raw)
		}
		return n, nil
	case kindBool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, bindErrorf("%s: expected true or false, got %s", where, raw)
		}
		return b, nil
	case kindDate:
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return nil, bindErrorf("%s: expected an RFC 3339 date-time string, got %s", where, raw)
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return nil, bindErrorf("%s: expected an RFC 3339 date-time, got '%s'", where, str)
		}
		return t.UTC(), nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return nil, bindErrorf("%s: expected a string, got %s", where, raw)
	}
	if f.kind == kindEnum && !slices.Contains(f.enum, str) {
		return nil, bindErrorf("%s: unknown value '%s' (expected one of %s)", where, str, strings.Join(f.enum, ", "))
	}
	return str, nil
}

// Cursors on the wire are standard base64 (Camunda's clients check that);
// the store's cursor is opaque text wrapped inside.
func wireCursor(c string) string {
	if c == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(c))
}

func storeCursor(where, c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil || len(b) == 0 {
		return "", bindErrorf("%s: not a cursor returned by this server", where)
	}
	return string(b), nil
}

// pageOf builds the page part of a search answer.
func pageOf[T any](p store.Page[T]) SearchPageResponse {
	return SearchPageResponse{TotalItems: p.Total, HasMoreTotalItems: p.TotalCapped, StartCursor: wireCursor(p.StartCursor), EndCursor: wireCursor(p.EndCursor)}
}

// errNotFound is a get that found nothing.
type errNotFound struct{ what string }

func (e *errNotFound) Error() string { return e.what + " not found" }

// byKey is a query for the one row with a key.
func byKey(field string, key int64) store.Query {
	return store.Query{Conditions: []store.Condition{{Field: field, Op: store.OpEq, Value: key}}, Limit: 1}
}

// first returns the only item of a get's page.
func first[T any](p store.Page[T], err error, what string, key int64) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(p.Items) == 0 {
		return zero, &errNotFound{what: fmt.Sprintf("%s with key '%d'", what, key)}
	}
	return p.Items[0], nil
}
