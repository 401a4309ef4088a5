package search

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/example/wf-engine/core/store"
)

// KeyRange is the keys from From to To, both included; To < 0 means no
// upper end.
type KeyRange struct {
	From, To int64
}

// StartKeys returns key ranges that hold every element instance (process
// instances included) whose start time, in Unix ms, is in [from, to]
// (math.MinInt64 and math.MaxInt64 for an open end), and false when the
// store cannot tell (then the search reads its table as it would without).
// PostgreSQL answers from the start-minute rollup (migration 33).
type StartKeys func(ctx context.Context, from, to int64) ([]KeyRange, bool, error)

// startRange returns the start times [from, to] that the plan's top-level
// startDate conditions allow, and false when none bounds them or the
// entity is not read from element_instances.
func (p *Plan[T]) startRange() (from, to int64, ok bool) {
	if p.e.From != "element_instances" {
		return 0, 0, false
	}
	from, to = math.MinInt64, math.MaxInt64
	for i := range p.conds {
		c := &p.conds[i]
		v, isInt := c.val.(int64)
		if c.f.Name != "startDate" || c.f.Expr != "start_time" || !isInt {
			continue
		}
		switch c.op {
		case store.OpEq:
			from, to, ok = max(from, v), min(to, v), true
		case store.OpGte:
			from, ok = max(from, v), true
		case store.OpGt:
			from, ok = max(from, v+1), true
		case store.OpLte:
			to, ok = min(to, v), true
		case store.OpLt:
			to, ok = min(to, v-1), true
		}
	}
	return from, to, ok
}

// keyedByStart reports whether the plan should read only the key ranges
// of its start range: it has one, and the page is not sorted by start
// date first (process instances have indexes of start times for that).
func (p *Plan[T]) keyedByStart() bool {
	if _, _, ok := p.startRange(); !ok {
		return false
	}
	return len(p.sort) == 0 || p.sort[0].f.Name != "startDate"
}

// table returns the entity's table, or, once withStartKeys gave the plan
// key ranges, the rows of those ranges as a UNION ALL of primary key
// ranges under the table's name, so that a search reads the rows of its
// minutes instead of the whole history. PostgreSQL can merge the ranges in
// key order, but it multiplies the selectivities of the key range and the
// start range (they are correlated), and on a big store it then sorts the
// ranges' rows for a page instead (about 300k rows for an hour at 20
// instances a second: hundreds of ms, docs/stores.md).
func (p *Plan[T]) table(b *builder) string {
	if p.startKeys == nil {
		return p.e.From
	}
	if len(p.startKeys) == 0 {
		return "(SELECT * FROM " + p.e.From + " WHERE 1 = 0) AS " + p.e.From
	}
	parts := make([]string, len(p.startKeys))
	for i, r := range p.startKeys {
		cond := "key >= " + b.arg(r.From)
		if r.To >= 0 {
			cond += " AND key <= " + b.arg(r.To)
		}
		parts[i] = "SELECT * FROM " + p.e.From + " WHERE " + cond
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ") AS " + p.e.From
}

// withStartKeys asks keys for the key ranges of the plan's start range
// when keyedByStart, and keeps them for table.
func (p *Plan[T]) withStartKeys(ctx context.Context, keys StartKeys) error {
	if keys == nil || !p.keyedByStart() {
		return nil
	}
	from, to, _ := p.startRange()
	ranges, ok, err := keys(ctx, from, to)
	if err != nil || !ok {
		return err
	}
	p.startKeys = ranges
	if p.startKeys == nil {
		p.startKeys = []KeyRange{}
	}
	return nil
}

// rangedByKey reports whether rangedSQL answers the plan: it has start
// key ranges (withStartKeys), its page is sorted by key alone, and it reads
// no join of element conditions.
func (p *Plan[T]) rangedByKey(d Dialect) bool {
	return len(p.startKeys) > 0 && len(p.sort) == 1 && p.sort[0].f.Name == p.e.Key && !p.elemsJoined(d)
}

// rangedSQL is SQL for a plan whose start key ranges (withStartKeys) are
// read in key order: per range, the rows of the range alone in key order
// behind a fence (ORDER BY key OFFSET 0), and the plan's conditions over
// them, up to the page's rows. The planner estimates the rows of a key
// range well, but multiplies the selectivities of the key range and the
// start range (they are correlated) and, expecting few rows, sorts every
// row of the hour for a page (hundreds of ms on a big store); behind the
// fence the range comes from the primary key in order and the page stops
// at its size. Each range holds whole minutes, so the rows of the first
// and last minute outside the start range are read and dropped. A process
// instance search counts through the index of start times (it has one:
// the count reads no key range); an element instance search counts the
// ranges in key order the same way, stopping after store.TotalCap + 1 rows.
func (p *Plan[T]) rangedSQL(d Dialect) (count, page Statement) {
	capN := strconv.Itoa(store.TotalCap + 1)
	desc := p.sort[0].desc != p.before
	dir := ""
	if desc {
		dir = " DESC"
	}
	key := p.sort[0].f.Expr
	ranges := p.startKeys
	if desc {
		ranges = slices.Clone(ranges)
		slices.Reverse(ranges)
	}
	fenced := func(b *builder, r KeyRange, cursor bool) string {
		cond := key + " >= " + b.arg(r.From)
		if r.To >= 0 {
			cond += " AND " + key + " <= " + b.arg(r.To)
		}
		if cursor && p.cursor != nil {
			cond += " AND " + p.cursorCond(b)
		}
		return "(SELECT * FROM " + p.e.From + " WHERE " + cond + " ORDER BY " + key + dir + " OFFSET 0) AS " + p.e.From
	}
	cb := &builder{d: d}
	if p.e.Where == "flow_scope_key = -1" {
		count = Statement{SQL: "SELECT count(*) FROM (SELECT 1 FROM " + p.e.From + p.where(cb) + " LIMIT " + capN + ") AS capped", Args: cb.args}
	} else {
		parts := make([]string, len(ranges))
		for i, r := range ranges {
			parts[i] = "(SELECT 1 FROM " + fenced(cb, r, false) + p.where(cb) + " LIMIT " + capN + ")"
		}
		count = Statement{SQL: "SELECT count(*) FROM (SELECT 1 FROM (" + strings.Join(parts, " UNION ALL ") + ") AS ranged LIMIT " + capN + ") AS capped",
			Args: cb.args}
	}
	pb := &builder{d: d}
	n := p.limit
	offset := ""
	if p.cursor == nil && p.from > 0 {
		n += p.from
		offset = " OFFSET " + strconv.Itoa(p.from)
	}
	parts := make([]string, len(ranges))
	for i, r := range ranges {
		where := p.where(pb)
		if p.cursor != nil {
			c := p.cursorCond(pb)
			if where == "" {
				where = " WHERE " + c
			} else {
				where += " AND " + c
			}
		}
		parts[i] = "(SELECT * FROM " + fenced(pb, r, true) + where + " ORDER BY " + key + dir + " LIMIT " + strconv.Itoa(n) + ")"
	}
	page = Statement{SQL: "SELECT " + p.e.Columns + " FROM (" + strings.Join(parts, " UNION ALL ") + ") AS " + p.e.From +
		" ORDER BY " + key + dir + " LIMIT " + strconv.Itoa(p.limit) + offset, Args: pb.args}
	return count, page
}
