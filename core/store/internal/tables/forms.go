package tables

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// Forms holds every deployed form version (migrations sqlite/0011,
// postgres/0012); deleted is 1 for a deleted one (sqlite/0015,
// postgres/0016).
var Forms = &Table{Name: "forms", Upsert: true, Columns: []Column{
	{"key", Int}, {"form_id", Text}, {"version", Int}, {"version_tag", Text}, {"resource_name", Text},
	{"resource", Bytes}, {"checksum", Text}, {"deployment_key", Int}, {"tenant_id", Text}, {"deleted", Int},
}}

// LoadForms reads the forms that were not deleted, LoadDeletedForms the
// others, in key order.
var (
	LoadForms        = Forms.Select("WHERE deleted = 0 ORDER BY key")
	LoadDeletedForms = Forms.Select("WHERE deleted = 1 ORDER BY key")
)

// formRows encodes the created forms, then the deleted ones; a form in
// both (batches merged) is written once, deleted.
func formRows(created, deleted []record.FormValue) *Rows {
	type row struct {
		record.FormValue
		deleted bool
	}
	rows := make([]row, 0, len(created)+len(deleted))
	for _, f := range created {
		rows = append(rows, row{f, false})
	}
	for _, f := range deleted {
		rows = append(rows, row{f, true})
	}
	rows = lastOfEachKey(rows, func(f *row) int64 { return f.FormKey })
	r := newRows(Forms, len(rows))
	for i := range rows {
		f := &rows[i]
		r.i(f.FormKey)
		r.s(f.FormID)
		r.i(int64(f.Version))
		r.s(f.VersionTag)
		r.s(f.ResourceName)
		r.b(f.Resource)
		r.s(f.Checksum)
		r.i(f.DeploymentKey)
		r.s(f.TenantID)
		r.i(flag(f.deleted))
		r.end()
	}
	return r
}

// ScanForm reads a forms row.
func ScanForm(scan Scan) (record.FormValue, error) {
	var f record.FormValue
	var version, deleted int64
	if err := scan(&f.FormKey, &f.FormID, &version, &f.VersionTag, &f.ResourceName, &f.Resource, &f.Checksum, &f.DeploymentKey, &f.TenantID, &deleted); err != nil {
		return f, fmt.Errorf("read form: %w", err)
	}
	var err error
	if f.Version = narrow[int32](version, "version", &err); err != nil {
		return f, fmt.Errorf("read form %d: %w", f.FormKey, err)
	}
	return f, nil
}
