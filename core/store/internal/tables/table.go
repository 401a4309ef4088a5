package tables

import (
	"fmt"
	"strings"
)

// Kind is how a column's values are carried: every integer column is
// written from int64 (the database narrows it), text from string, blobs from
// []byte.
type Kind uint8

// Column kinds.
const (
	Int Kind = iota + 1
	Text
	Bytes
)

// Column is one written column.
type Column struct {
	Name string
	Kind Kind
}

// Table is a table that Commit writes.
type Table struct {
	Name    string
	Columns []Column
	// Upsert tables replace the row with the same key (the first column);
	// the log only appends, and a duplicate position fails the commit.
	Upsert bool
	// Stable names the indexed columns of an upsert table that hardly ever
	// change once the row is written (a process instance key, an element
	// id): see InsertValuesKeeping.
	Stable []string
}

// Names returns the column names separated by commas.
func (t *Table) Names() string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// conflict returns the ON CONFLICT clause of an upsert, or "".
func (t *Table) conflict(excluded string) string {
	if !t.Upsert {
		return ""
	}
	sets := make([]string, 0, len(t.Columns)-1)
	for _, c := range t.Columns[1:] {
		sets = append(sets, c.Name+" = "+excluded+"."+c.Name)
	}
	return " ON CONFLICT (" + t.Columns[0].Name + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// InsertValues returns SQLite's statement that writes n rows with ?
// placeholders.
func (t *Table) InsertValues(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.Name + " (" + t.Names() + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(t.conflict("excluded"))
	return b.String()
}

// InsertValuesKeeping returns SQLite's statement that writes n rows like
// InsertValues, except that a row whose key exists is updated only where
// its Stable columns hold the values written: the update sets the other
// columns alone, so SQLite leaves the index entries of the Stable columns
// in place (an update rewrites the entries of every index on a column it
// sets, whether the value changed or not). A row whose Stable columns
// differ is left as it was, and the statement changes fewer than n rows:
// the caller then writes the rows with InsertValues. Without Stable
// columns it is InsertValues.
func (t *Table) InsertValuesKeeping(n int) string {
	if !t.Upsert || len(t.Stable) == 0 {
		return t.InsertValues(n)
	}
	full := t.InsertValues(n)
	stable := make(map[string]bool, len(t.Stable))
	for _, c := range t.Stable {
		stable[c] = true
	}
	sets := make([]string, 0, len(t.Columns)-1)
	for _, c := range t.Columns[1:] {
		if !stable[c.Name] {
			sets = append(sets, c.Name+" = excluded."+c.Name)
		}
	}
	keeps := make([]string, len(t.Stable))
	for i, c := range t.Stable {
		keeps[i] = c + " IS excluded." + c
	}
	return full[:len(full)-len(t.conflict("excluded"))] + " ON CONFLICT (" + t.Columns[0].Name + ") DO UPDATE SET " +
		strings.Join(sets, ", ") + " WHERE " + strings.Join(keeps, " AND ")
}

// InsertUnnest returns PostgreSQL's statement that writes every row of a
// batch from one array per column, replacing rows with the same key in
// upsert tables.
func (t *Table) InsertUnnest() string {
	return t.AppendUnnest() + t.conflict("EXCLUDED")
}

// AppendUnnest returns PostgreSQL's statement that inserts every row of a
// batch from one array per column; a row whose key exists fails it.
func (t *Table) AppendUnnest() string {
	return "INSERT INTO " + t.Name + " (" + t.Names() + ") " + t.unnest()
}

// UpdateUnnest returns PostgreSQL's statement that writes every row of a
// batch from one array per column by updating the rows that exist and
// inserting the others. For rows that mostly exist it costs the database
// less than InsertUnnest's upsert: no speculative insertion, no row lock,
// and the update can be HOT.
func (t *Table) UpdateUnnest() string {
	sets := make([]string, 0, len(t.Columns)-1)
	for _, c := range t.Columns[1:] {
		sets = append(sets, c.Name+" = s."+c.Name)
	}
	key := t.Columns[0].Name
	return fmt.Sprintf("WITH u AS (UPDATE %s t SET %s FROM (%s) s WHERE t.%s = s.%s RETURNING t.%s) "+
		"INSERT INTO %s (%s) SELECT * FROM (%s) s WHERE s.%s NOT IN (SELECT %s FROM u)",
		t.Name, strings.Join(sets, ", "), t.unnest(), key, key, key, t.Name, t.Names(), t.unnest(), key, key)
}

// unnest returns the query that turns the column arrays $1..$n into rows,
// one unnest per column in the select list: the arrays are read in step,
// row by row, without first copying every row into a tuple store as
// unnest(a, b, ...) in FROM does.
func (t *Table) unnest() string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		typ := "bigint"
		switch c.Kind {
		case Text:
			typ = "text"
		case Bytes:
			typ = "bytea"
		}
		cols[i] = fmt.Sprintf("unnest($%d::%s[]) AS %s", i+1, typ, c.Name)
	}
	return "SELECT " + strings.Join(cols, ", ")
}

// Select returns the statement that reads every column, followed by the
// given clauses.
func (t *Table) Select(clauses string) string {
	return "SELECT " + t.Names() + " FROM " + t.Name + " " + clauses
}
