package tables

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// Forms holds every deployed form version (migrations sqlite/0011,
// postgres/0012); forms are never deleted, so Load reads them all.
var Forms = &Table{Name: "forms", Upsert: true, Columns: []Column{
	{"key", Int}, {"form_id", Text}, {"version", Int}, {"version_tag", Text}, {"resource_name", Text},
	{"resource", Bytes}, {"checksum", Text}, {"deployment_key", Int}, {"tenant_id", Text},
}}

// LoadForms reads every form in key order.
var LoadForms = Forms.Select("ORDER BY key")

func formRows(fs []record.FormValue) *Rows {
	fs = lastOfEachKey(fs, func(f *record.FormValue) int64 { return f.FormKey })
	r := newRows(Forms, len(fs))
	for i := range fs {
		f := &fs[i]
		r.i(f.FormKey)
		r.s(f.FormID)
		r.i(int64(f.Version))
		r.s(f.VersionTag)
		r.s(f.ResourceName)
		r.b(f.Resource)
		r.s(f.Checksum)
		r.i(f.DeploymentKey)
		r.s(f.TenantID)
		r.end()
	}
	return r
}

// ScanForm reads a forms row.
func ScanForm(scan Scan) (record.FormValue, error) {
	var f record.FormValue
	var version int64
	if err := scan(&f.FormKey, &f.FormID, &version, &f.VersionTag, &f.ResourceName, &f.Resource, &f.Checksum, &f.DeploymentKey, &f.TenantID); err != nil {
		return f, fmt.Errorf("read form: %w", err)
	}
	var err error
	if f.Version = narrow[int32](version, "version", &err); err != nil {
		return f, fmt.Errorf("read form %d: %w", f.FormKey, err)
	}
	return f, nil
}
