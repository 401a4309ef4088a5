package rest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDocumentMetadata feeds metadata parts to parseDocumentMetadata. It
// never panics and refuses only with a bindError (a 400) that names the
// part; what it accepts holds storable strings, a parseable expiresAt and
// custom properties that are one compact JSON object, and reads back the
// same when written as the API answers it.
func FuzzDocumentMetadata(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"contentType":"application/pdf","fileName":"a.pdf","expiresAt":"2026-12-31T23:59:59.123+02:00","size":"12"}`,
		`{"processDefinitionId":"order","processInstanceKey":2251799813685249,"customProperties":{"a":[1,{"b":null}]}}`,
		`{"processInstanceKey":"2251799813685249","size":0}`,
		`{"customProperties":{}, "contentType":"text/plain; charset=utf-8"}`,
		`{"fileName":"\u00fc\u0000"}`,
		`{"size":1e3}`,
		`{"FileName":"x"}`,
		`{"a":1}`,
		`[]`,
		` {"fileName":"x"} trailing`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseDocumentMetadata("metadata", b)
		if err != nil {
			var be *bindError
			if !errors.As(err, &be) || !strings.HasPrefix(be.msg, "metadata") {
				t.Fatalf("refused with %T %q, want a bindError naming the part", err, err)
			}
			return
		}
		for _, s := range []string{m.ContentType, m.FileName, m.ProcessDefinitionID, m.ExpiresAt} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("accepted an unstorable string %q", s)
			}
		}
		if m.ExpiresAt != "" {
			if _, err := time.Parse(time.RFC3339Nano, m.ExpiresAt); err != nil {
				t.Fatalf("accepted expiresAt %q: %v", m.ExpiresAt, err)
			}
		}
		if len(m.CustomProperties) > 0 {
			var obj map[string]any
			if err := json.Unmarshal(m.CustomProperties, &obj); err != nil || obj == nil {
				t.Fatalf("customProperties %s is not an object: %v", m.CustomProperties, err)
			}
			if c, _ := compactJSON(m.CustomProperties); string(c) != string(m.CustomProperties) {
				t.Fatalf("customProperties %s is not compact", m.CustomProperties)
			}
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("write %+v: %v", m, err)
		}
		again, err := parseDocumentMetadata("metadata", out)
		if err != nil {
			t.Fatalf("the written metadata %s does not read back: %v", out, err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("read back %+v, want %+v (written %s)", again, m, out)
		}
	})
}
