package search

import (
	"strconv"
	"strings"

	"github.com/example/wf-engine/core/store"
)

// Dialect is how one SQL database spells what plans need.
type Dialect struct {
	// Param returns the placeholder of the n-th argument, counting from 1.
	Param func(n int) string
	// Like returns a condition that expr matches the pattern in param.
	Like func(expr, param string) string
	// Pattern translates a Camunda $like pattern for Like.
	Pattern func(string) string
	// Each returns the FROM and WHERE of a subquery over the entries of the
	// JSON array in expr (JSON null: none), each entry as column "value".
	Each func(expr string) (from, where string)
	// Digest, if set, returns the digest of expr that an index of a
	// Field.Digest field holds (PostgreSQL: variables' values, which a
	// btree cannot hold whole).
	Digest func(expr string) string
	// HasAny, if set, returns a condition that the JSON array of strings in
	// expr (JSON null: none) has an entry equal to one of params, never
	// NULL: $eq and $in on lists use it instead of a subquery over Each.
	HasAny func(expr string, params []string) string
	// OpenElements, if set, reads element conditions with an unfinished
	// state (elemCond.open) as a join from the matching element rows, which
	// an index of unfinished element instances holds by state, element id
	// and process instance (PostgreSQL: migration 29), instead of an EXISTS
	// per row.
	OpenElements bool
}

// Postgres is PostgreSQL's dialect. Text columns are COLLATE "C", so LIKE
// and ordering are by bytes, as in memory.
var Postgres = Dialect{
	Param:   func(n int) string { return "$" + strconv.Itoa(n) },
	Like:    func(expr, param string) string { return expr + ` LIKE ` + param + ` ESCAPE '\'` },
	Pattern: LikePattern,
	Each: func(expr string) (string, string) {
		return "jsonb_array_elements_text(NULLIF(" + expr + ", 'null')::jsonb) AS entry(value)", ""
	},
	Digest:       func(expr string) string { return "md5(" + expr + ")" },
	OpenElements: true,
	// jsonb's ?| tests the array's string entries without unnesting it:
	// the Tasklist's visibility condition costs a third of the subquery.
	HasAny: func(expr string, params []string) string {
		return "COALESCE(NULLIF(" + expr + ", 'null')::jsonb ?| ARRAY[" + strings.Join(params, ", ") + "]::text[], false)"
	},
}

// SQLite is SQLite's dialect. GLOB is case-sensitive, unlike SQLite's LIKE.
var SQLite = Dialect{
	Param:   func(int) string { return "?" },
	Like:    func(expr, param string) string { return expr + ` GLOB ` + param },
	Pattern: GlobPattern,
	Each: func(expr string) (string, string) {
		return "json_each(" + expr + ") AS entry", "entry.type = 'text'"
	},
}

// Statement is SQL text with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

type builder struct {
	d    Dialect
	args []any
}

func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.Param(len(b.args))
}

// SQL returns the statement that counts the matching rows and the one that
// selects the page. A page read with Before comes back in reverse order;
// Page puts it right.
func (p *Plan[T]) SQL(d Dialect) (count, page Statement) {
	if p.rangedByKey(d) {
		return p.rangedSQL(d)
	}
	cb := &builder{d: d}
	if p.elemsJoined(d) && p.onlyElems() {
		// Every element instance's process instance is stored (commits
		// write both, retention removes both in one transaction): the
		// distinct process instances of the element rows are the rows, and
		// the count reads the element rows' index alone.
		count = Statement{SQL: "SELECT count(*) FROM (" + p.elemsSubquery(cb) + " LIMIT " + strconv.Itoa(store.TotalCap+1) + ") AS capped",
			Args: cb.args}
	} else {
		from := p.fromSQL(cb)
		where := p.where(cb)
		// The count stops after one row more than store.TotalCap: enough
		// to say that more match, in the time of reading TotalCap index
		// entries.
		count = Statement{SQL: "SELECT count(*) FROM (SELECT 1 FROM " + from + where +
			" LIMIT " + strconv.Itoa(store.TotalCap+1) + ") AS capped", Args: cb.args}
	}

	pb := &builder{d: d}
	from := p.fromSQL(pb)
	where := p.where(pb)
	if p.cursor != nil {
		c := p.cursorCond(pb)
		if where == "" {
			where = " WHERE " + c
		} else {
			where += " AND " + c
		}
	}
	var q strings.Builder
	q.WriteString("SELECT " + p.e.Columns + " FROM " + from + where + " ORDER BY ")
	for i, s := range p.sort {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(s.f.Expr)
		if s.desc != p.before {
			q.WriteString(" DESC")
		}
	}
	q.WriteString(" LIMIT " + strconv.Itoa(p.limit))
	if p.cursor == nil && p.from > 0 {
		q.WriteString(" OFFSET " + strconv.Itoa(p.from))
	}
	page = Statement{SQL: q.String(), Args: pb.args}
	return count, page
}

// elemsJoined reports whether fromSQL reads the plan's element conditions
// as a join (Dialect.OpenElements), so that where leaves them out.
func (p *Plan[T]) elemsJoined(d Dialect) bool {
	return d.OpenElements && p.elems != nil && p.elems.open()
}

// fromSQL returns the FROM clause's tables (without the keyword): the
// entity's table, joined to the distinct process instances of the element
// rows that meet the element conditions when elemsJoined. Those rows are
// few (unfinished) and come from their index in process instance order, so
// a page by key reads about as many index entries as it returns rows,
// where an EXISTS per row walks every process instance before the first
// running one. The join keeps the semantics of the EXISTS: DISTINCT makes
// each instance one row.
func (p *Plan[T]) fromSQL(b *builder) string {
	if !p.elemsJoined(b.d) {
		return p.table(b)
	}
	return p.table(b) + " JOIN (" + p.elemsSubquery(b) + ") AS elems ON elems." + joinedElement + " = " + p.elems.link.Outer
}

// elemsSubquery returns the distinct process instance keys of the element
// rows that meet the element conditions, as column joinedElement.
func (p *Plan[T]) elemsSubquery(b *builder) string {
	c := p.elems
	parts := []string{elementAlias + ".flow_scope_key <> -1"}
	for i := range c.conds {
		parts = append(parts, c.conds[i].sql(b))
	}
	return "SELECT DISTINCT " + elementAlias + "." + c.link.Column + " AS " + joinedElement +
		" FROM element_instances " + elementAlias + " WHERE " + strings.Join(parts, " AND ")
}

// onlyElems reports whether the element conditions are all the plan
// tests: no other condition, no tenant restriction, and an entity without
// a condition of its own but its table's (process instances: not the
// element rows).
func (p *Plan[T]) onlyElems() bool {
	return len(p.conds) == 0 && !p.restricted && len(p.anyOf) == 0 && len(p.vars) == 0 && len(p.or) == 0 && p.incs == nil &&
		p.e.Where == "flow_scope_key = -1"
}

// joinedElement names the process instance key column of fromSQL's join.
const joinedElement = "elem_process_instance_key"

// open reports whether the conditions hold only for unfinished element
// instances: a state condition $eq or $in of states other than COMPLETED.
// Such element instances are few however long the history is.
func (c *elemCond[T]) open() bool {
	for i := range c.conds {
		k := &c.conds[i]
		if k.f.Name != "state" {
			continue
		}
		switch k.op {
		case store.OpEq:
			if v, ok := k.val.(string); ok && v != store.StateCompleted {
				return true
			}
		case store.OpIn:
			open := len(k.vals) > 0
			for _, v := range k.vals {
				if s, ok := v.(string); !ok || s == store.StateCompleted {
					open = false
				}
			}
			if open {
				return true
			}
		}
	}
	return false
}

// where returns the WHERE clause (with its leading space) or "".
func (p *Plan[T]) where(b *builder) string {
	var parts []string
	if p.e.Where != "" {
		parts = append(parts, p.e.Where)
	}
	if t := p.tenantSQL(b); t != "" {
		parts = append(parts, t)
	}
	for i := range p.conds {
		parts = append(parts, p.conds[i].sql(b))
	}
	if len(p.anyOf) > 0 {
		alts := make([]string, len(p.anyOf))
		for i := range p.anyOf {
			alts[i] = p.anyOf[i].sql(b)
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	for i := range p.vars {
		parts = append(parts, p.vars[i].sql(b))
	}
	if p.elems != nil && !p.elemsJoined(b.d) {
		parts = append(parts, p.elems.sql(b))
	}
	if p.incs != nil {
		parts = append(parts, p.incs.sql(b))
	}
	if len(p.or) > 0 {
		alts := make([]string, len(p.or))
		for i := range p.or {
			alts[i] = p.or[i].sql(b)
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(parts, " AND ")
}

// sql returns the group's conditions joined by AND, parenthesized.
func (g *group[T]) sql(b *builder) string {
	var parts []string
	for i := range g.conds {
		parts = append(parts, g.conds[i].sql(b))
	}
	for i := range g.vars {
		parts = append(parts, g.vars[i].sql(b))
	}
	if g.elems != nil {
		parts = append(parts, g.elems.sql(b))
	}
	if g.incs != nil {
		parts = append(parts, g.incs.sql(b))
	}
	if len(parts) == 0 {
		return "1=1"
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// sql returns an EXISTS over the variables of the condition's scope: the
// scope column and the name come first, so that the database finds the
// candidates by an index (variables_process_instance, variables_scope_name)
// and tests the value on them.
func (v *varCond[T]) sql(b *builder) string {
	parts := []string{"vf." + v.link.Column + " = " + v.link.Outer, "vf.name = " + b.arg(v.name)}
	for i := range v.conds {
		parts = append(parts, v.conds[i].sql(b))
	}
	return "EXISTS (SELECT 1 FROM variables vf WHERE " + strings.Join(parts, " AND ") + ")"
}

// sql returns an EXISTS over the row's element instances, the process
// itself aside: found by the process instance's index, the conditions'
// unqualified columns name the inner table.
func (c *elemCond[T]) sql(b *builder) string {
	parts := []string{elementAlias + "." + c.link.Column + " = " + c.link.Outer, elementAlias + ".flow_scope_key <> -1"}
	for i := range c.conds {
		parts = append(parts, c.conds[i].sql(b))
	}
	return "EXISTS (SELECT 1 FROM element_instances " + elementAlias + " WHERE " + strings.Join(parts, " AND ") + ")"
}

// sql returns an EXISTS over the row's open incidents, found by their
// partial index (incidents_open_by_instance); the conditions' unqualified
// columns name the inner table.
func (c *incCond[T]) sql(b *builder) string {
	parts := []string{incidentAlias + "." + c.link.Column + " = " + c.link.Outer, incidentAlias + ".state = 'ACTIVE'"}
	for i := range c.conds {
		parts = append(parts, c.conds[i].sql(b))
	}
	return "EXISTS (SELECT 1 FROM incidents " + incidentAlias + " WHERE " + strings.Join(parts, " AND ") + ")"
}

// presence returns the SQL condition that an optional field is set.
func presence[T any](f *Field[T]) string {
	switch f.Kind {
	case KindString, KindState:
		return f.Expr + " <> ''"
	case KindBool:
		return "1=1"
	}
	return f.Expr + " > 0"
}

func (c *cond[T]) sql(b *builder) string {
	if c.f.Kind == KindList {
		return c.listSQL(b)
	}
	e := c.f.Expr
	set := func(s string) string {
		if !c.f.Optional {
			return s
		}
		return "(" + presence(c.f) + " AND " + s + ")"
	}
	unsetOr := func(s string) string {
		if !c.f.Optional {
			return s
		}
		return "(NOT (" + presence(c.f) + ") OR " + s + ")"
	}
	switch c.op {
	case store.OpExists:
		switch {
		case !c.f.Optional && c.exists:
			return "1=1"
		case !c.f.Optional:
			return "1=0"
		case c.exists:
			return "(" + presence(c.f) + ")"
		}
		return "NOT (" + presence(c.f) + ")"
	case store.OpEq, store.OpNeq:
		if v, ok := c.val.(bool); ok && c.f.Kind == KindBool {
			// The expression itself, not a comparison of it with a
			// parameter: PostgreSQL then plans an EXISTS (hasIncident) as a
			// join that an index serves instead of testing every row.
			if v == (c.op == store.OpEq) {
				return "(" + e + ")"
			}
			return "NOT (" + e + ")"
		}
		if c.op == store.OpNeq {
			return unsetOr(e + " <> " + b.arg(c.val))
		}
		if c.f.Digest && b.d.Digest != nil {
			p := b.arg(c.val)
			return set(b.d.Digest(e) + " = " + b.d.Digest(p) + " AND " + e + " = " + p)
		}
		return set(e + " = " + b.arg(c.val))
	case store.OpGt:
		return set(e + " > " + b.arg(c.val))
	case store.OpGte:
		return set(e + " >= " + b.arg(c.val))
	case store.OpLt:
		return set(e + " < " + b.arg(c.val))
	case store.OpLte:
		return set(e + " <= " + b.arg(c.val))
	case store.OpIn:
		if len(c.vals) == 0 {
			return "1=0"
		}
		return set(e + " IN (" + c.list(b) + ")")
	case store.OpNotIn:
		if len(c.vals) == 0 {
			return "1=1"
		}
		return unsetOr(e + " NOT IN (" + c.list(b) + ")")
	case store.OpLike:
		s, _ := c.val.(string)
		return set(b.d.Like(e, b.arg(b.d.Pattern(s))))
	}
	// Compile admits no other operator; match nothing rather than guess.
	return "1=0"
}

// listSQL tests the entries of a list field: EXISTS for a condition that
// one entry meets, NOT EXISTS for $neq and $notIn.
func (c *cond[T]) listSQL(b *builder) string {
	from, where := b.d.Each(c.f.Expr)
	entries := func(cond string) string {
		conds := []string{}
		if where != "" {
			conds = append(conds, where)
		}
		if cond != "" {
			conds = append(conds, cond)
		}
		q := "SELECT 1 FROM " + from
		if len(conds) > 0 {
			q += " WHERE " + strings.Join(conds, " AND ")
		}
		return "EXISTS (" + q + ")"
	}
	const value = "entry.value"
	if b.d.HasAny != nil {
		switch c.op {
		case store.OpEq:
			return b.d.HasAny(c.f.Expr, []string{b.arg(c.val)})
		case store.OpNeq:
			return "NOT " + b.d.HasAny(c.f.Expr, []string{b.arg(c.val)})
		case store.OpIn:
			if len(c.vals) == 0 {
				return "1=0"
			}
			return b.d.HasAny(c.f.Expr, c.params(b))
		case store.OpNotIn:
			if len(c.vals) == 0 {
				return "1=1"
			}
			return "NOT " + b.d.HasAny(c.f.Expr, c.params(b))
		}
	}
	switch c.op {
	case store.OpExists:
		if c.exists {
			return entries("")
		}
		return "NOT " + entries("")
	case store.OpEq:
		return entries(value + " = " + b.arg(c.val))
	case store.OpNeq:
		return "NOT " + entries(value+" = "+b.arg(c.val))
	case store.OpIn:
		if len(c.vals) == 0 {
			return "1=0"
		}
		return entries(value + " IN (" + c.list(b) + ")")
	case store.OpNotIn:
		if len(c.vals) == 0 {
			return "1=1"
		}
		return "NOT " + entries(value+" IN ("+c.list(b)+")")
	case store.OpLike:
		s, _ := c.val.(string)
		return entries(b.d.Like(value, b.arg(b.d.Pattern(s))))
	}
	return "1=0"
}

func (c *cond[T]) list(b *builder) string { return strings.Join(c.params(b), ", ") }

// params adds the condition's values as arguments and returns their
// placeholders.
func (c *cond[T]) params(b *builder) []string {
	ps := make([]string, len(c.vals))
	for i, v := range c.vals {
		ps[i] = b.arg(v)
	}
	return ps
}

// cursorCond returns the condition that a row sorts after (or, for Before,
// before) the cursor: (k1 > c1) OR (k1 = c1 AND k2 > c2) OR ...
func (p *Plan[T]) cursorCond(b *builder) string {
	var ors []string
	for i := range p.sort {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, p.sort[j].f.Expr+" = "+b.arg(p.cursor[j]))
		}
		s := p.sort[i]
		op := " > "
		if s.desc != p.before {
			op = " < "
		}
		ands = append(ands, s.f.Expr+op+b.arg(p.cursor[i]))
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// Page turns the rows a page statement returned into a page.
func (p *Plan[T]) Page(items []T, total int64) store.Page[T] {
	if p.before {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	return p.page(items, total)
}
