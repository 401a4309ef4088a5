package search

import (
	"slices"

	"github.com/example/wf-engine/core/store"
)

// match reports whether a row meets every condition.
func (p *Plan[T]) match(row *T) bool {
	if !p.inTenants(row) {
		return false
	}
	for i := range p.conds {
		if !p.conds[i].match(row) {
			return false
		}
	}
	for i := range p.vars {
		if !p.matchVar(&p.vars[i], row) {
			return false
		}
	}
	if p.elems != nil && !p.matchElems(p.elems, row) {
		return false
	}
	if p.incs != nil && !p.matchIncs(p.incs, row) {
		return false
	}
	if len(p.or) > 0 && !slices.ContainsFunc(p.or, func(g group[T]) bool { return p.matchGroup(&g, row) }) {
		return false
	}
	if len(p.anyOf) == 0 {
		return true
	}
	for i := range p.anyOf {
		if p.anyOf[i].match(row) {
			return true
		}
	}
	return false
}

// matchGroup reports whether a row meets every restriction of a group.
func (p *Plan[T]) matchGroup(g *group[T], row *T) bool {
	for i := range g.conds {
		if !g.conds[i].match(row) {
			return false
		}
	}
	for i := range g.vars {
		if !p.matchVar(&g.vars[i], row) {
			return false
		}
	}
	return (g.elems == nil || p.matchElems(g.elems, row)) && (g.incs == nil || p.matchIncs(g.incs, row))
}

// matchIncs reports whether one open incident of the row meets every
// condition, among those WithIncidents gave.
func (p *Plan[T]) matchIncs(c *incCond[T], row *T) bool {
	for _, inc := range p.incidents[c.link.Key(row)] {
		ok := true
		for i := range c.conds {
			if !c.conds[i].match(&inc) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// matchElems reports whether one element instance of the row, the process
// itself aside, meets every condition, among those WithElements gave.
func (p *Plan[T]) matchElems(c *elemCond[T], row *T) bool {
	for _, e := range p.elements[c.link.Key(row)] {
		if e.ElementInstanceScopeKey == -1 {
			continue
		}
		ok := true
		for i := range c.conds {
			if !c.conds[i].match(&e) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// matchVar reports whether one variable of the condition's scope has its
// name and a value that meets its conditions, among the variables that
// WithVariables gave.
func (p *Plan[T]) matchVar(v *varCond[T], row *T) bool {
	for _, x := range p.variables[v.link.Column][v.link.Key(row)] {
		if x.Name != v.name {
			continue
		}
		ok := true
		for i := range v.conds {
			if !v.conds[i].match(&x) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (c *cond[T]) match(row *T) bool {
	v := c.f.Get(row)
	if list, ok := v.([]string); ok {
		return c.matchList(list)
	}
	return c.matchValue(v)
}

// matchList applies a condition to a list: it holds when it holds for one
// entry, or, for $neq and $notIn, for every entry.
func (c *cond[T]) matchList(list []string) bool {
	switch c.op {
	case store.OpExists:
		return (len(list) > 0) == c.exists
	case store.OpNeq, store.OpNotIn:
		for _, s := range list {
			if !c.matchValue(s) {
				return false
			}
		}
		return true
	}
	for _, s := range list {
		if c.matchValue(s) {
			return true
		}
	}
	return false
}

func (c *cond[T]) matchValue(v any) bool {
	set := !c.f.Optional || present(v)
	switch c.op {
	case store.OpExists:
		return set == c.exists
	case store.OpEq:
		return set && compare(v, c.val) == 0
	case store.OpNeq:
		return !set || compare(v, c.val) != 0
	case store.OpGt:
		return set && compare(v, c.val) > 0
	case store.OpGte:
		return set && compare(v, c.val) >= 0
	case store.OpLt:
		return set && compare(v, c.val) < 0
	case store.OpLte:
		return set && compare(v, c.val) <= 0
	case store.OpIn:
		return set && c.in(v)
	case store.OpNotIn:
		return !set || !c.in(v)
	case store.OpLike:
		s, _ := v.(string)
		return set && matchLike(s, c.like)
	}
	return false
}

func (c *cond[T]) in(v any) bool {
	for _, x := range c.vals {
		if compare(v, x) == 0 {
			return true
		}
	}
	return false
}

// cmpRows orders two rows by the plan's sort.
func (p *Plan[T]) cmpRows(a, b *T) int {
	for _, s := range p.sort {
		if c := compare(s.f.Get(a), s.f.Get(b)); c != 0 {
			if s.desc {
				return -c
			}
			return c
		}
	}
	return 0
}

// cmpCursor orders a row against the plan's cursor.
func (p *Plan[T]) cmpCursor(a *T) int {
	for i, s := range p.sort {
		if c := compare(s.f.Get(a), p.cursor[i]); c != 0 {
			if s.desc {
				return -c
			}
			return c
		}
	}
	return 0
}

// Run applies the plan to an entity's rows in memory (rows already meet the
// entity's Where). It may reorder rows.
func (p *Plan[T]) Run(rows []T) store.Page[T] {
	var matched []T
	for i := range rows {
		if p.match(&rows[i]) {
			matched = append(matched, rows[i])
		}
	}
	total := int64(len(matched))
	slices.SortFunc(matched, func(a, b T) int { return p.cmpRows(&a, &b) })
	var items []T
	switch {
	case p.cursor != nil && p.before:
		end := 0
		for end < len(matched) && p.cmpCursor(&matched[end]) < 0 {
			end++
		}
		items = matched[max(0, end-p.limit):end]
	case p.cursor != nil:
		start := 0
		for start < len(matched) && p.cmpCursor(&matched[start]) <= 0 {
			start++
		}
		items = matched[start:min(len(matched), start+p.limit)]
	default:
		start := min(p.from, len(matched))
		items = matched[start:min(len(matched), start+p.limit)]
	}
	return p.page(items, total)
}

// page builds a page from items in sort order.
func (p *Plan[T]) page(items []T, total int64) store.Page[T] {
	out := store.Page[T]{Items: items, Total: total}
	if total > store.TotalCap {
		out.Total, out.TotalCapped = store.TotalCap, true
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(items) > 0 {
		out.StartCursor = p.cursorOf(&items[0])
		out.EndCursor = p.cursorOf(&items[len(items)-1])
	}
	return out
}
