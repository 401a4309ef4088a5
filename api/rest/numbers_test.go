package rest

import (
	"encoding/json"
	"errors"
	"math"
	"mime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestParseInteger(t *testing.T) {
	tests := []struct {
		name string
		in   string
		bits int
		want int64
		err  error
	}{
		{"zero", "0", 64, 0, nil},
		{"negative", "-1", 32, -1, nil},
		{"largest int64", "9223372036854775807", 64, math.MaxInt64, nil},
		{"smallest int64", "-9223372036854775808", 64, math.MinInt64, nil},
		{"largest int32", "2147483647", 32, math.MaxInt32, nil},
		{"leading zeros in a string", "007", 64, 7, nil},
		{"past int64", "9223372036854775808", 64, 0, errIntegerRange},
		{"past int32", "2147483648", 32, 0, errIntegerRange},
		{"below int32", "-2147483649", 32, 0, errIntegerRange},
		{"empty", "", 64, 0, errNotInteger},
		{"minus alone", "-", 64, 0, errNotInteger},
		{"letters after digits", "12a", 64, 0, errNotInteger},
		{"fraction", "1.5", 64, 0, errNotInteger},
		{"whole fraction", "1.0", 64, 0, errNotInteger},
		{"exponent", "1e3", 64, 0, errNotInteger},
		{"plus sign", "+5", 64, 0, errNotInteger},
		{"space", " 5", 64, 0, errNotInteger},
		{"hex", "0x10", 64, 0, errNotInteger},
		{"underscore", "1_000", 64, 0, errNotInteger},
		{"non-ASCII digit", "١٢", 64, 0, errNotInteger},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseInteger(tt.in, tt.bits)
			if !errors.Is(err, tt.err) || (tt.err == nil && got != tt.want) {
				t.Fatalf("parseInteger(%q, %d) = %d, %v; want %d, %v", tt.in, tt.bits, got, err, tt.want, tt.err)
			}
		})
	}
}

// FuzzParseInteger checks that what parseInteger accepts is exactly a
// decimal integer in range: it reads back the same number, written
// canonically, and whatever it refuses strconv would refuse too or is not
// plain digits.
func FuzzParseInteger(f *testing.F) {
	for _, s := range []string{"0", "-1", "12a", "", "1.5", "9223372036854775808", "2147483648", "007", "+5", "-0"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, int32s bool) {
		bits := 64
		if int32s {
			bits = 32
		}
		n, err := parseInteger(s, bits)
		ref, refErr := strconv.ParseInt(s, 10, bits)
		plain := strings.TrimLeft(strings.TrimPrefix(s, "-"), "0123456789") == "" && strings.TrimPrefix(s, "-") != ""
		switch {
		case err == nil:
			if !plain || refErr != nil || n != ref {
				t.Fatalf("parseInteger(%q) = %d, but strconv says %d, %v (plain %v)", s, n, ref, refErr, plain)
			}
			if again, err := parseInteger(strconv.FormatInt(n, 10), bits); err != nil || again != n {
				t.Fatalf("%d does not read back: %d, %v", n, again, err)
			}
		case errors.Is(err, errIntegerRange):
			if !plain || refErr == nil {
				t.Fatalf("parseInteger(%q) says out of range, strconv says %d, %v", s, ref, refErr)
			}
		case errors.Is(err, errNotInteger):
			if plain {
				t.Fatalf("parseInteger(%q) refuses plain digits as not an integer", s)
			}
		default:
			t.Fatalf("parseInteger(%q): unexpected error %v", s, err)
		}
		// The whole body path: a JSON string holding s never panics and
		// is either rewritten to n or refused.
		body, _ := json.Marshal(map[string]string{"v": s})
		schema := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
			"v": {Value: &openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int" + strconv.Itoa(bits)}},
		}}
		out, lerr := lenientIntegers(body, schema)
		if (lerr == nil) != (err == nil) {
			t.Fatalf("lenientIntegers(%s) = %s, %v; parseInteger says %v", body, out, lerr, err)
		}
		if lerr == nil && string(out) != `{"v":`+strconv.FormatInt(n, 10)+`}` {
			t.Fatalf("lenientIntegers(%s) = %s", body, out)
		}
	})
}

// integerField is an integer field of a request body in api/openapi.yaml.
type integerField struct {
	Operation string // "METHOD /path"
	Path      []string
	Bits      int
	Min, Max  *float64
}

// Name is the field as problem details name it: "changeset.retries",
// "startInstructions[0].x".
func (f integerField) Name() string {
	var b strings.Builder
	for i, p := range f.Path {
		if i > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Body is a JSON body holding only v at the field's place.
func (f integerField) Body(v any) any {
	for i := len(f.Path) - 1; i >= 0; i-- {
		if f.Path[i] == "[0]" {
			v = []any{v}
		} else {
			v = map[string]any{f.Path[i]: v}
		}
	}
	return v
}

// Valid is an integer the field takes.
func (f integerField) Valid() int64 {
	v := 1.0
	if f.Min != nil {
		v = max(v, *f.Min)
	}
	if f.Max != nil {
		v = min(v, *f.Max)
	}
	return int64(v)
}

// integerFields lists every integer field of every JSON request body of
// the description, derived from it: a route added to api/openapi.yaml is
// covered without a change here.
func integerFields(t *testing.T) []integerField {
	t.Helper()
	sr, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var out []integerField
	for _, op := range slices.Sorted(slices.Values(sr.Operations())) {
		rb := sr.ops[op].Operation.RequestBody
		if rb == nil || rb.Value == nil {
			continue
		}
		for ct, mt := range rb.Value.Content {
			if base, _, _ := mime.ParseMediaType(ct); base != "application/json" || mt.Schema == nil {
				continue
			}
			var walk func(flat []*openapi3.Schema, path []string)
			walk = func(flat []*openapi3.Schema, path []string) {
				if len(path) > 8 {
					return
				}
				if bits := integerBits(flat); bits != 0 && !accepts(flat, "string") {
					f := integerField{Operation: op, Path: slices.Clone(path), Bits: bits}
					for _, s := range flat {
						if s.Type.Includes(openapi3.TypeInteger) {
							f.Min, f.Max = s.Min, s.Max
						}
					}
					out = append(out, f)
					return
				}
				var names []string
				for _, s := range flat {
					for name := range s.Properties {
						names = append(names, name)
					}
				}
				slices.Sort(names)
				for _, name := range slices.Compact(names) {
					walk(flatten(members(flat, name), nil, 0), append(path, name))
				}
				var items []*openapi3.Schema
				for _, s := range flat {
					if s.Items != nil && s.Items.Value != nil {
						items = append(items, s.Items.Value)
					}
				}
				if len(items) > 0 {
					walk(flatten(items, nil, 0), append(path, "[0]"))
				}
			}
			walk(flatten([]*openapi3.Schema{mt.Schema.Value}, nil, 0), nil)
		}
	}
	return out
}

// TestLenientIntegersEveryField sends every integer field of every request
// body as a string and as a number: the string is rewritten into the
// number, the number is left as it is, and a non-integer is refused naming
// the field.
func TestLenientIntegersEveryField(t *testing.T) {
	sr, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	fields := integerFields(t)
	if len(fields) < 10 {
		t.Fatalf("only %d integer fields found in the description: %v", len(fields), fields)
	}
	for _, f := range fields {
		t.Run(f.Operation+" "+f.Name(), func(t *testing.T) {
			schema := sr.ops[f.Operation].Operation.RequestBody.Value.Content.Get("application/json").Schema.Value
			n := f.Valid()
			asNumber, _ := json.Marshal(f.Body(n))
			asString, _ := json.Marshal(f.Body(strconv.FormatInt(n, 10)))
			got, err := lenientIntegers(asString, schema)
			if err != nil || string(got) != string(asNumber) {
				t.Fatalf("%s: got %s, %v; want %s", asString, got, err, asNumber)
			}
			if got, err := lenientIntegers(asNumber, schema); err != nil || string(got) != string(asNumber) {
				t.Fatalf("%s: got %s, %v", asNumber, got, err)
			}
			past := "9223372036854775808"
			if f.Bits == 32 {
				past = "2147483648"
			}
			for _, bad := range []any{"12a", "", "1.5", 1.5, "+1", json.Number(past), past} {
				body, _ := json.Marshal(f.Body(bad))
				_, err := lenientIntegers(body, schema)
				if err == nil || !strings.Contains(err.Error(), "'"+f.Name()+"'") {
					t.Fatalf("%s: got %v, want an error naming '%s'", body, err, f.Name())
				}
			}
		})
	}
}

func TestLenientIntegersLeavesTheRestAlone(t *testing.T) {
	sr, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	schema := sr.ops["POST /v2/process-instances"].Operation.RequestBody.Value.Content.Get("application/json").Schema.Value
	for _, body := range []string{
		// variables are free-form: their strings stay strings
		`{"processDefinitionId":"p","variables":{"requestTimeout":"5","n":"12a","deep":[{"x":"1"}]}}`,
		// not JSON: left for the validator to describe
		`{"requestTimeout":"5"`,
		`{"processDefinitionKey":"123","tags":["1"]}`,
	} {
		got, err := lenientIntegers([]byte(body), schema)
		if err != nil || string(got) != body {
			t.Errorf("%s: got %s, %v; want it unchanged", body, got, err)
		}
	}
	// Escapes and spaces around the rewritten string stay as they were.
	body := `{ "requestTimeout" : "\u0035" , "processDefinitionId":"p\"q" }`
	got, err := lenientIntegers([]byte(body), schema)
	if want := `{ "requestTimeout" : 5 , "processDefinitionId":"p\"q" }`; err != nil || string(got) != want {
		t.Fatalf("got %s, %v; want %s", got, err, want)
	}
}
