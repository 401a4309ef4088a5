package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // "" accepts; else a part of the message
	}{
		{"plain object", `{"a":1,"b":{"c":[1,"x",{"d":null}]}}`, ""},
		{"whitespace after the document", "{\"a\":1} \n\t\r ", ""},
		{"same key in sibling objects", `{"a":{"k":1},"b":{"k":2}}`, ""},
		{"keys differing in case", `{"variables":{"a":1,"A":2}}`, ""},
		{"many distinct keys", manyKeys(40, false), ""},
		{"escaped characters", `{"a\"b":"\n\t\\\/\u00e9\ud83d\ude00"}`, ""},
		{"NUL in a variable's string value", `{"variables":{"v":"a\u0000b","w":["\u0000"]}}`, ""},
		{"UTF-8 characters", `{"name":"héllo wörld ✓ 😀"}`, ""},

		{"duplicate top-level key", `{"a":1,"a":2}`, "duplicate key 'a' at the top level"},
		{"duplicate key in changeset", `{"changeset":{"retries":1,"retries":-1}}`, "duplicate key 'retries' in changeset"},
		{"duplicate variable name", `{"variables":{"x":1,"y":2,"x":3}}`, "duplicate key 'x' in variables"},
		{"duplicate key deep in an array", `{"variables":{"l":[{},{"k":1,"k":1}]}}`, "duplicate key 'k' in variables.l[1]"},
		{"duplicate key spelled with an escape", `{"ab":1,"a\u0062":2}`, "duplicate key 'ab'"},
		{"duplicate under a key spelled with an escape", `{"variables":{"a\u0062":{"k":1,"k":2}}}`, "duplicate key 'k' in variables.ab"},
		{"duplicate among many keys", manyKeys(40, true), "duplicate key 'k0'"},
		{"second document", `{"a":1}{"a":2}`, "unexpected data after the JSON document at byte 7"},
		{"word after the document", `{"a":1} x`, "unexpected data after the JSON document at byte 8"},
		{"NUL in a string field", `{"name":"a\u0000b"}`, "request property 'name': the string holds a NUL character"},
		{"NUL in a nested string", `{"startInstructions":[{"elementId":"\u0000"}]}`, "request property 'startInstructions[0].elementId'"},
		{"NUL in a variable name", `{"variables":{"a\u0000":1}}`, `the key "a\\u0000" in variables holds a NUL`},
		{"NUL in a variable value's key", `{"variables":{"a":{"k\u0000":1}}}`, "in variables.a holds a NUL"},
		{"NUL in a string of a job result", `{"result":{"corrections":{"assignee":"\u0000"}}}`, "request property 'result.corrections.assignee'"},
		{"invalid UTF-8 in a value", "{\"name\":\"a\xffb\"}", "request property 'name': the string is not valid UTF-8 (byte 0xff"},
		{"invalid UTF-8 in a variable value", "{\"variables\":{\"v\":\"\xc3\"}}", "request property 'variables.v': the string is not valid UTF-8"},
		{"invalid UTF-8 in a key", "{\"variables\":{\"\xe2\x82\":1}}", "in variables is not valid UTF-8"},
		{"lone high surrogate", `{"name":"\ud800x"}`, "unpaired UTF-16 surrogate"},
		{"lone low surrogate", `{"variables":{"v":"\udc00"}}`, "request property 'variables.v': the string holds an unpaired"},
		{"high surrogate then a non-surrogate escape", `{"name":"\ud800\u0041"}`, "unpaired UTF-16 surrogate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			err := decodeJSON([]byte(tc.body), &v)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted, want an error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if err != nil {
				var be *bindError
				if !errors.As(err, &be) {
					t.Fatalf("error %T is not a bindError", err)
				}
			}
		})
	}
}

func TestCheckJSONKeysAreFieldNames(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		into       any
		want       string
	}{
		{"a field's name in other case", `{"Retries":-1}`, &JobFailRequest{}, "key 'Retries' at the top level is not 'retries': keys are case-sensitive"},
		{"in a nested struct", `{"changeset":{"retries":1,"RETRIES":-1}}`, &JobUpdateRequest{}, "key 'RETRIES' in changeset is not 'retries'"},
		{"in a slice of structs", `{"processDefinitionId":"p","startInstructions":[{"ElementId":"x"}]}`, &CreateProcessInstanceRequest{}, "in startInstructions[0] is not 'elementId'"},
		{"variables are free-form", `{"variables":{"Variables":1,"a":{"A":1}}}`, &CreateProcessInstanceRequest{}, ""},
		{"search filters are free-form", `{"filter":{"State":"x"}}`, &SearchRequest{}, ""},
		{"an unknown key is refused, naming the known ones", `{"retries":1,"extra":true}`, &JobFailRequest{},
			"key 'extra' at the top level is not a property of this request (known: errorMessage, retries, retryBackOff, variables)"},
		{"an unknown key in a slice of structs", `{"sort":[{"field":"a"},{"field":"b","orderBy":"ASC"}]}`, &SearchRequest{},
			"key 'orderBy' in sort[1] is not a property of this request (known: field, order)"},
		{"an unknown key in a nested struct", `{"page":{"limit":1,"offset":2}}`, &SearchRequest{}, "key 'offset' in page is not a property"},
		{"unknown keys inside variables are the variables' own", `{"variables":{"extra":{"more":1}}}`, &JobFailRequest{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := decodeJSON([]byte(tc.body), tc.into)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func manyKeys(n int, dup bool) string {
	var b strings.Builder
	b.WriteString(`{"variables":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k`)
		b.WriteString(strings.Repeat("x", i%3))
		b.WriteString(string(rune('0' + i%10)))
		b.WriteString(strings.Repeat("y", i/10))
		b.WriteString(`":1`)
	}
	if dup {
		b.WriteString(`,"k0":2`)
	}
	b.WriteString("}}")
	return b.String()
}

// FuzzDecodeJSON checks that decodeJSON never panics, that what it accepts
// is one JSON document, and that nothing of an accepted document is lost
// in decoding: every key is kept (no duplicate overwrote another) and no
// character became U+FFFD that was not sent as one.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":1,"a":2}`, `{"a":"\u0000"}`, `{"variables":{"v":"\u0000"}}`,
		"{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `[1,{"b":[]}] `, `{"a":1}{}`, `"x"`, `{"a\u0062":1,"ab":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v any
		if err := decodeJSON(b, &v); err != nil {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("accepted what is not one JSON document: %q", b)
		}
		if sent, kept := keyOccurrences(t, b), countKeys(v); sent != kept {
			t.Fatalf("%d keys sent, %d kept: %q", sent, kept, b)
		}
		lower := bytes.ToLower(b)
		if hasReplacement(v) && !bytes.Contains(b, []byte("\uFFFD")) && !bytes.Contains(lower, []byte(`\ufffd`)) {
			t.Fatalf("a character became U+FFFD: %q", b)
		}
	})
}

// FuzzDecodeJSONIntoAStruct checks that what decodeJSON accepts into a
// request type names only its properties, at the top level and in its
// start instructions, while the variables take any key.
func FuzzDecodeJSONIntoAStruct(f *testing.F) {
	for _, s := range []string{`{"processDefinitionId":"a"}`, `{"processDefinitionId":"a","other":1}`,
		`{"startInstructions":[{"elementId":"a","x":1}]}`, `{"variables":{"any":{"key":1}}}`, `{"Tags":[]}`, `{"tags\u0000":1}`} {
		f.Add([]byte(s))
	}
	top := fieldsOf(reflect.TypeFor[CreateProcessInstanceRequest]())
	f.Fuzz(func(t *testing.T, b []byte) {
		var req CreateProcessInstanceRequest
		if err := decodeJSON(b, &req); err != nil {
			return
		}
		var doc map[string]json.RawMessage
		if json.Unmarshal(b, &doc) != nil {
			return // null: nothing to check
		}
		for k, raw := range doc {
			if _, ok := top.names[k]; !ok {
				t.Fatalf("accepted the key %q, which is no property: %q", k, b)
			}
			if k != "startInstructions" {
				continue
			}
			var items []map[string]json.RawMessage
			_ = json.Unmarshal(raw, &items)
			for _, it := range items {
				for ik := range it {
					if ik != "elementId" {
						t.Fatalf("accepted the key %q in startInstructions: %q", ik, b)
					}
				}
			}
		}
	})
}

// keyOccurrences counts the keys of every object in b, duplicates included.
func keyOccurrences(t *testing.T, b []byte) int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var stack []byte // per open container: 'k' object awaiting a key, 'v' awaiting a value, 'a' array
	valueDone := func() {
		if len(stack) > 0 && stack[len(stack)-1] == 'v' {
			stack[len(stack)-1] = 'k'
		}
	}
	n := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, 'k')
		case json.Delim('['):
			stack = append(stack, 'a')
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			if len(stack) > 0 && stack[len(stack)-1] == 'k' {
				n++
				stack[len(stack)-1] = 'v'
				continue
			}
			valueDone()
		}
	}
}

func countKeys(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += countKeys(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += countKeys(e)
		}
		return n
	}
	return 0
}

func hasReplacement(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.ContainsRune(x, '\uFFFD')
	case map[string]any:
		for k, e := range x {
			if hasReplacement(k) || hasReplacement(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasReplacement(e) {
				return true
			}
		}
	}
	return false
}
