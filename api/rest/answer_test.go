package rest

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// pureJSON encodes v as c.PureJSON does: encoding/json without HTML
// escaping.
func pureJSON(t interface{ Fatal(...any) }, v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// TestAppendStringAsEncodingJSON checks the hand-written string encoder
// against encoding/json on arbitrary strings, invalid UTF-8 included.
func TestAppendStringAsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "<default>&", "\x00\x01\x1f\b\f\n\r\t", "é\u2028\u2029\U0001F600", "\xff\xfe bad", "a\xc3"} {
		if got, want := string(appendString(nil, s)), pureJSON(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		raw := string(rapid.SliceOf(rapid.Byte()).Draw(t, "raw"))
		for _, v := range []string{s, raw} {
			if got, want := string(appendString(nil, v)), pureJSON(t, v); got != want {
				t.Fatalf("appendString(%q) = %s, want %s", v, got, want)
			}
		}
	})
}

// TestHandWrittenAnswersAsEncodingJSON checks the hand-written answers of
// the hot routes against encoding/json's encoding of the same structs.
func TestHandWrittenAnswersAsEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		str := rapid.OneOf(rapid.String(), rapid.SampledFrom([]string{"", "<default>", "a\"b", "\u2028"}))
		vars := rapid.MapOf(str, rapid.SampledFrom([]string{`1`, `"x"`, `{"a":[1,true,null]}`, `"<&>"`})).Draw(t, "vars")
		created := CreateProcessInstanceResult{
			ProcessDefinitionID: str.Draw(t, "id"), ProcessDefinitionVersion: rapid.Int32().Draw(t, "version"), TenantID: str.Draw(t, "tenant"),
			Variables: map[string]jsonText{}, ProcessDefinitionKey: Key(rapid.Int64().Draw(t, "dk")), ProcessInstanceKey: Key(rapid.Int64().Draw(t, "ik")),
		}
		for k, v := range vars {
			created.Variables[k] = jsonText(v)
		}
		if got, want := string(appendCreated(nil, &created)), pureJSON(t, created); got != want {
			t.Fatalf("created:\n got %s\nwant %s", got, want)
		}
		var jobs []ActivatedJobResult
		for range rapid.IntRange(0, 3).Draw(t, "jobs") {
			jobs = append(jobs, ActivatedJobResult{
				JobKey: Key(rapid.Int64().Draw(t, "jk")), Type: str.Draw(t, "type"), ProcessDefinitionID: str.Draw(t, "pid"),
				ProcessDefinitionVersion: rapid.Int32().Draw(t, "v"), ProcessDefinitionKey: Key(rapid.Int64().Draw(t, "pk")),
				ProcessInstanceKey: Key(rapid.Int64().Draw(t, "ik")), ElementID: str.Draw(t, "el"), ElementInstanceKey: Key(rapid.Int64().Draw(t, "ek")),
				CustomHeaders: rapid.MapOf(str, str).Draw(t, "headers"), Worker: str.Draw(t, "worker"), Retries: rapid.Int32().Draw(t, "retries"),
				Deadline: rapid.Int64().Draw(t, "deadline"), TenantID: str.Draw(t, "tenant"), Kind: "BPMN_ELEMENT", ListenerEventType: "UNSPECIFIED",
				Variables: map[string]any{"s": str.Draw(t, "sv"), "n": json.Number("12.5"), "b": true, "nil": nil, "list": []any{"<a>", 1.5}},
			})
		}
		got, err := appendActivated(nil, jobs)
		if err != nil {
			t.Fatal(err)
		}
		if want := pureJSON(t, JobActivationResult{Jobs: append([]ActivatedJobResult{}, jobs...)}); string(got) != want {
			t.Fatalf("activated:\n got %s\nwant %s", got, want)
		}
	})
}
