package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Numbers as Camunda's server reads them: wherever api/openapi.yaml has an
// integer in a request body, a JSON number or a JSON string holding a
// decimal integer is accepted (Camunda's JavaScript client, in its strict
// request validation, writes int64 fields as strings). The validator
// rewrites such strings into numbers before anything else reads the body
// (lenientIntegers), so the schema checks (minimum, maximum) and every
// handler's typed decoding see numbers, on every route alike. Anything else
// there — "12a", "", "1.5", 1.5, 1e3, a value out of the field's int32 or
// int64 range — is a 400 that names the field. Keys are not integers in the
// description (LongKey is a string) and are written as strings in answers.

// errNotInteger and errIntegerRange are what parseInteger refuses.
var (
	errNotInteger   = errors.New("not a decimal integer")
	errIntegerRange = errors.New("out of range")
)

// parseInteger reads a decimal integer of bits bits (32 or 64) from s, the
// text of a JSON number or the content of a JSON string: an optional minus
// sign and one or more digits, nothing else (no sign '+', no space, no
// fraction, no exponent).
func parseInteger(s string, bits int) (int64, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" {
		return 0, errNotInteger
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, errNotInteger
		}
	}
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return 0, errIntegerRange
	}
	return n, nil
}

// integerProblem says why v (the JSON text sent, a number or a quoted
// string) is not an integer of bits bits, for the field at path.
func integerProblem(path string, v []byte, bits int, err error) error {
	if errors.Is(err, errIntegerRange) {
		lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
		return bindErrorf("request property '%s': %s is out of range for an int%d (%d to %d)", path, v, bits, lo, hi)
	}
	return bindErrorf("request property '%s': expected an integer (a JSON number or a string holding a decimal integer), got %s", path, v)
}

// lenientIntegers returns body with every JSON string that stands where
// schema has an integer written as a number, after checking it, and checks
// the numbers found there. A body that is not valid JSON is returned as it
// is, for the validator to describe.
func lenientIntegers(body []byte, schema *openapi3.Schema) ([]byte, error) {
	if schema == nil {
		return body, nil
	}
	w := intWalker{body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	w.dec.UseNumber()
	if err := w.value([]*openapi3.Schema{schema}, 0); err != nil {
		if errors.Is(err, errGiveUp) {
			return body, nil
		}
		return nil, err
	}
	if len(w.edits) == 0 {
		return body, nil
	}
	out := make([]byte, 0, len(body))
	last := 0
	for _, e := range w.edits {
		out = append(out, body[last:e.start]...)
		out = strconv.AppendInt(out, e.n, 10)
		last = e.end
	}
	return append(out, body[last:]...), nil
}

// errGiveUp stops the walk over a body that is not valid JSON.
var errGiveUp = errors.New("not valid JSON")

// maxSchemaDepth bounds how deep lenientIntegers follows the description;
// deeper values are skipped (the description has no integers there).
const maxSchemaDepth = 32

type intWalker struct {
	body  []byte
	dec   *json.Decoder
	path  []string
	edits []intEdit
}

// intEdit replaces body[start:end], a quoted integer, with n.
type intEdit struct {
	start, end int
	n          int64
}

func (w *intWalker) pathString() string {
	var b strings.Builder
	for i, p := range w.path {
		if i > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// value reads the next value, described by any of schemas.
func (w *intWalker) value(schemas []*openapi3.Schema, depth int) error {
	flat := flatten(schemas, nil, 0)
	if depth > maxSchemaDepth || !structured(flat) && integerBits(flat) == 0 {
		var skip json.RawMessage
		if err := w.dec.Decode(&skip); err != nil {
			return errGiveUp
		}
		return nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		return errGiveUp
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return w.object(flat, depth)
		case '[':
			return w.array(flat, depth)
		}
		return errGiveUp
	case string:
		if accepts(flat, "string") {
			return nil
		}
		bits := integerBits(flat)
		end := int(w.dec.InputOffset())
		start := quoteStart(w.body, end)
		if bits == 0 || start < 0 {
			return nil
		}
		n, err := parseInteger(t, bits)
		if err != nil {
			return integerProblem(w.pathString(), w.body[start:end], bits, err)
		}
		w.edits = append(w.edits, intEdit{start: start, end: end, n: n})
	case json.Number:
		if accepts(flat, "number") {
			return nil
		}
		if bits := integerBits(flat); bits != 0 {
			if _, err := parseInteger(t.String(), bits); err != nil {
				return integerProblem(w.pathString(), []byte(t.String()), bits, err)
			}
		}
	}
	return nil
}

func (w *intWalker) object(flat []*openapi3.Schema, depth int) error {
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return errGiveUp
		}
		key, _ := tok.(string)
		w.path = append(w.path, key)
		if err := w.value(members(flat, key), depth+1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	if _, err := w.dec.Token(); err != nil { // }
		return errGiveUp
	}
	return nil
}

func (w *intWalker) array(flat []*openapi3.Schema, depth int) error {
	var items []*openapi3.Schema
	for _, s := range flat {
		if s.Items != nil && s.Items.Value != nil {
			items = append(items, s.Items.Value)
		}
	}
	for i := 0; w.dec.More(); i++ {
		w.path = append(w.path, "["+strconv.Itoa(i)+"]")
		if err := w.value(items, depth+1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	if _, err := w.dec.Token(); err != nil { // ]
		return errGiveUp
	}
	return nil
}

// quoteStart finds the opening quote of the string that ends (with its
// closing quote) just before end; -1 when there is none.
func quoteStart(b []byte, end int) int {
	if end < 2 || end > len(b) || b[end-1] != '"' {
		return -1
	}
	for i := end - 2; i >= 0; i-- {
		if b[i] != '"' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			return i
		}
	}
	return -1
}

// flatten adds schemas and, through allOf, anyOf and oneOf, the schemas
// they combine to out.
func flatten(schemas []*openapi3.Schema, out []*openapi3.Schema, depth int) []*openapi3.Schema {
	for _, s := range schemas {
		if s == nil || depth > maxSchemaDepth {
			continue
		}
		out = append(out, s)
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range refs {
				if r != nil && r.Value != nil {
					out = flatten([]*openapi3.Schema{r.Value}, out, depth+1)
				}
			}
		}
	}
	return out
}

// members returns the schemas that describe member key of an object.
func members(flat []*openapi3.Schema, key string) []*openapi3.Schema {
	var out []*openapi3.Schema
	for _, s := range flat {
		if p := s.Properties[key]; p != nil && p.Value != nil {
			out = append(out, p.Value)
		} else if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
			out = append(out, ap.Value)
		}
	}
	return out
}

// structured tells whether any of flat describes members or items.
func structured(flat []*openapi3.Schema) bool {
	for _, s := range flat {
		if len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil || s.Items != nil {
			return true
		}
	}
	return false
}

// accepts tells whether any of flat takes a value of JSON type typ as it
// is: a schema of that type, or one of no type that combines none.
func accepts(flat []*openapi3.Schema, typ string) bool {
	for _, s := range flat {
		if s.Type.Is(typ) || s.Type.Includes(typ) {
			return true
		}
		if (s.Type == nil || len(*s.Type) == 0) && len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) == 0 &&
			len(s.Properties) == 0 && s.Items == nil && s.AdditionalProperties.Schema == nil {
			return true // free-form
		}
	}
	return false
}

// integerBits is 32 when an integer schema among flat has format int32,
// 64 for any other integer schema, 0 when none is an integer.
func integerBits(flat []*openapi3.Schema) int {
	bits := 0
	for _, s := range flat {
		if !s.Type.Includes(openapi3.TypeInteger) {
			continue
		}
		if s.Format == "int32" {
			return 32
		}
		bits = 64
	}
	return bits
}

// integerValue reads a JSON number or a JSON string holding a decimal
// integer of bits bits, where the description cannot say a field is an
// integer (search filters, whose fields depend on the search).
func integerValue(raw []byte, bits int) (int64, error) {
	raw = bytes.TrimSpace(raw)
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, errNotInteger
		}
	}
	return parseInteger(text, bits)
}
