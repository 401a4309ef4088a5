package tables

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// column holds one column's values for a batch of rows.
type column struct {
	ints  []int64
	texts []string
	blobs [][]byte
}

// Rows are rows of one table, held column by column.
type Rows struct {
	T    *Table
	cols []column
	next int // column the next value goes to
	n    int
	err  error
}

func newRows(t *Table, capacity int) *Rows {
	r := &Rows{T: t, cols: make([]column, len(t.Columns))}
	for i, c := range t.Columns {
		switch c.Kind {
		case Int:
			r.cols[i].ints = make([]int64, 0, capacity)
		case Text:
			r.cols[i].texts = make([]string, 0, capacity)
		case Bytes:
			r.cols[i].blobs = make([][]byte, 0, capacity)
		}
	}
	return r
}

func (r *Rows) kind(k Kind) int {
	i := r.next
	if i >= len(r.cols) || r.T.Columns[i].Kind != k {
		if r.err == nil {
			r.err = fmt.Errorf("table %s: value %d of row %d does not fit its column", r.T.Name, i, r.n)
		}
		return -1
	}
	r.next++
	return i
}

func (r *Rows) i(v int64) {
	if c := r.kind(Int); c >= 0 {
		r.cols[c].ints = append(r.cols[c].ints, v)
	}
}

func (r *Rows) s(v string) {
	if c := r.kind(Text); c >= 0 {
		r.cols[c].texts = append(r.cols[c].texts, Clean(v))
	}
}

// Clean makes a string storable as text in every database: PostgreSQL text
// holds neither NUL characters nor invalid UTF-8, so both become U+FFFD. The
// log keeps the original, in its JSON; only state rows' text columns see
// the replacement. Callers (the API) should refuse such strings earlier.
func Clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func (r *Rows) b(v []byte) {
	if v == nil {
		v = []byte{} // blob columns are NOT NULL
	}
	if c := r.kind(Bytes); c >= 0 {
		r.cols[c].blobs = append(r.cols[c].blobs, v)
	}
}

// end closes a row.
func (r *Rows) end() {
	if r.next != len(r.cols) && r.err == nil {
		r.err = fmt.Errorf("table %s: row %d has %d values for %d columns", r.T.Name, r.n, r.next, len(r.cols))
	}
	r.next = 0
	r.n++
}

// Len returns the number of rows.
func (r *Rows) Len() int { return r.n }

// Err returns the first encoding problem.
func (r *Rows) Err() error { return r.err }

// AppendRow appends the values of row i to dst, in column order.
func (r *Rows) AppendRow(dst []any, i int) []any {
	for c, col := range r.T.Columns {
		switch col.Kind {
		case Int:
			dst = append(dst, r.cols[c].ints[i])
		case Text:
			dst = append(dst, r.cols[c].texts[i])
		case Bytes:
			dst = append(dst, r.cols[c].blobs[i])
		}
	}
	return dst
}

// Arrays returns one slice per column ([]int64, []string or [][]byte), the
// arguments of InsertUnnest.
func (r *Rows) Arrays() []any {
	out := make([]any, len(r.cols))
	for c, col := range r.T.Columns {
		switch col.Kind {
		case Int:
			out[c] = r.cols[c].ints
		case Text:
			out[c] = r.cols[c].texts
		case Bytes:
			out[c] = r.cols[c].blobs
		}
	}
	return out
}

// MaxKey returns the highest key (the first column), or -1 for no rows.
func (r *Rows) MaxKey() int64 {
	m := int64(-1)
	for _, k := range r.cols[0].ints {
		m = max(m, k)
	}
	return m
}

// Split returns the rows whose key (the first column) is above lastKey and
// the others, each in their original order. When all rows fall on one side
// (most commits: a table's rows are all new, or all updates), that side is
// r itself, not a copy; callers only read the two.
func (r *Rows) Split(lastKey int64) (above, rest *Rows) {
	n := 0
	for _, k := range r.cols[0].ints[:r.n] {
		if k > lastKey {
			n++
		}
	}
	switch n {
	case 0:
		return newRows(r.T, 0), r
	case r.n:
		return r, newRows(r.T, 0)
	}
	above, rest = newRows(r.T, n), newRows(r.T, r.n-n)
	for i := range r.n {
		if r.cols[0].ints[i] > lastKey {
			above.copyRow(r, i)
		} else {
			rest.copyRow(r, i)
		}
	}
	return above, rest
}

// Filter returns the rows i for which keep(i) holds, in their order.
func (r *Rows) Filter(keep func(i int) bool) *Rows {
	out := newRows(r.T, 0)
	for i := range r.n {
		if keep(i) {
			out.copyRow(r, i)
		}
	}
	return out
}

// copyRow appends row i of src, a Rows of the same table.
func (r *Rows) copyRow(src *Rows, i int) {
	for c := range src.cols {
		switch src.T.Columns[c].Kind {
		case Int:
			r.cols[c].ints = append(r.cols[c].ints, src.cols[c].ints[i])
		case Text:
			r.cols[c].texts = append(r.cols[c].texts, src.cols[c].texts[i])
		case Bytes:
			r.cols[c].blobs = append(r.cols[c].blobs, src.cols[c].blobs[i])
		}
	}
	r.n++
}
