package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// checkJSON reads a JSON document once and refuses what encoding/json would
// let through silently, so that what is decoded is exactly what was sent:
//
//   - a key twice in one object, at any depth (encoding/json keeps the last);
//   - anything but whitespace after the document (encoding/json's Decoder
//     stops after the first value);
//   - a string that is not valid UTF-8, or an escape of a lone UTF-16
//     surrogate (encoding/json turns both into U+FFFD);
//   - a NUL character (U+0000) in a key, or in a string value outside the
//     top-level "variables" document: the stores keep text columns without
//     NUL (core/store/internal/tables.Clean), so a stored name would differ
//     from the one sent and replay from the log would differ from the rows.
//     Variable values are kept as JSON text, where NUL stays escaped;
//   - in an object read into a Go struct, a key that is not a field's name
//     (encoding/json skips it; a misspelt optional property would be lost
//     without a word), and so also one that matches a field only ignoring
//     case (encoding/json would read "Retries" into retries, past the
//     request validator's bounds on "retries").
//
// The document is b[:end], where decoding it has stopped: its syntax has
// been checked, and a syntax error found here is reported without detail.
func checkJSON(b []byte, end int, into reflect.Type) error {
	if end < 0 || end > len(b) {
		return errJSONSyntax
	}
	for i := end; i < len(b); i++ {
		if !isSpace(b[i]) {
			return bindErrorf("request body: unexpected data after the JSON document at byte %d; send one JSON document", i)
		}
	}
	sc := jsonChecker{b: b[:end]}
	sc.skipSpace()
	if err := sc.value(0, fieldsOf(into)); err != nil {
		return err
	}
	sc.skipSpace()
	if sc.i < len(sc.b) {
		return errJSONSyntax
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// maxJSONDepth bounds the nesting checkJSON follows, as encoding/json does.
const maxJSONDepth = 10000

// jsonChecker walks a JSON document byte by byte. path holds the members
// and array positions that lead to the value being read, for messages.
type jsonChecker struct {
	b    []byte
	i    int
	path []pathStep
	// text is b as a string, made once for the first large object: its
	// keys are kept as substrings of it, without a copy each.
	text string
	// keyAt is where the last key read starts in b, or -1 when it held
	// escapes (and was unescaped into a copy).
	keyAt int
}

// pathStep is one member (its key, where it lies in the body, as sent) or
// array position (at < 0) on the way. It holds no pointer, so that keeping
// the path costs the garbage collector nothing.
type pathStep struct {
	at, end int
	index   int
}

var errJSONSyntax = bindErrorf("request body: the request body is not valid JSON")

func (sc *jsonChecker) skipSpace() {
	for sc.i < len(sc.b) && isSpace(sc.b[sc.i]) {
		sc.i++
	}
}

func (sc *jsonChecker) value(depth int, fs *fieldSet) error {
	if depth > maxJSONDepth {
		return bindErrorf("request body: the document nests deeper than %d levels", maxJSONDepth)
	}
	if sc.i >= len(sc.b) {
		return errJSONSyntax
	}
	switch sc.b[sc.i] {
	case '{':
		return sc.object(depth, fs)
	case '[':
		return sc.array(depth, fs)
	case '"':
		_, err := sc.str(false)
		return err
	}
	// A number or a literal: the decoder has checked its spelling.
	start := sc.i
	for sc.i < len(sc.b) && isScalarByte(sc.b[sc.i]) {
		sc.i++
	}
	if sc.i == start {
		return errJSONSyntax
	}
	return nil
}

func isScalarByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '+' || c == '.'
}

func (sc *jsonChecker) object(depth int, fs *fieldSet) error {
	sc.i++ // {
	var small [16][]byte
	keys := small[:0] // keys as sent, unescaped when they hold escapes
	var seen map[string]struct{}
	sc.skipSpace()
	if sc.i < len(sc.b) && sc.b[sc.i] == '}' {
		sc.i++
		return nil
	}
	for {
		sc.skipSpace()
		if sc.i >= len(sc.b) || sc.b[sc.i] != '"' {
			return errJSONSyntax
		}
		keyAt := sc.i + 1
		key, err := sc.str(true)
		keyEnd := sc.i - 1
		if err != nil {
			return err
		}
		dup := false
		if seen != nil {
			_, dup = seen[string(key)]
			seen[sc.keyString(key)] = struct{}{}
		} else {
			for _, k := range keys {
				if bytes.Equal(k, key) {
					dup = true
					break
				}
			}
			keys = append(keys, key)
			if len(keys) == len(small) {
				seen = make(map[string]struct{}, 2*len(keys))
				for _, k := range keys {
					seen[string(k)] = struct{}{} // a few copies, once
				}
			}
		}
		if dup {
			return bindErrorf("request body: duplicate key '%s' %s", key, sc.where())
		}
		var member *fieldSet
		if fs != nil {
			var err error
			if member, err = sc.member(fs, key); err != nil {
				return err
			}
		}
		sc.skipSpace()
		if sc.i >= len(sc.b) || sc.b[sc.i] != ':' {
			return errJSONSyntax
		}
		sc.i++
		sc.skipSpace()
		sc.path = append(sc.path, pathStep{at: keyAt, end: keyEnd})
		if err := sc.value(depth+1, member); err != nil {
			return err
		}
		sc.path = sc.path[:len(sc.path)-1]
		if done, err := sc.separator('}'); done || err != nil {
			return err
		}
	}
}

func (sc *jsonChecker) array(depth int, fs *fieldSet) error {
	sc.i++ // [
	sc.skipSpace()
	if sc.i < len(sc.b) && sc.b[sc.i] == ']' {
		sc.i++
		return nil
	}
	for n := 0; ; n++ {
		sc.skipSpace()
		sc.path = append(sc.path, pathStep{at: -1, index: n})
		if err := sc.value(depth+1, fs); err != nil {
			return err
		}
		sc.path = sc.path[:len(sc.path)-1]
		if done, err := sc.separator(']'); done || err != nil {
			return err
		}
	}
}

// str reads a string at sc.i and checks its characters. It returns the
// string's content: raw when it holds no escape, else unescaped (keys only:
// for a value the content is not needed and nil is returned).
func (sc *jsonChecker) str(key bool) ([]byte, error) {
	sc.i++ // "
	start := sc.i
	escaped := false
	for sc.i < len(sc.b) {
		i, b := sc.i, sc.b
		for i < len(b) && plainByte[b[i]] { // most of any string
			i++
		}
		if sc.i = i; i == len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			raw := sc.b[start:sc.i]
			sc.i++
			if !key {
				return nil, nil
			}
			if !escaped {
				sc.keyAt = start
				return raw, nil
			}
			sc.keyAt = -1
			var s string
			if err := json.Unmarshal(sc.b[start-1:sc.i], &s); err != nil {
				return nil, errJSONSyntax
			}
			return []byte(s), nil
		case c == '\\':
			escaped = true
			if sc.i+1 >= len(sc.b) {
				return nil, errJSONSyntax
			}
			if sc.b[sc.i+1] != 'u' {
				sc.i += 2
				continue
			}
			r, ok := sc.hex4(sc.i + 2)
			if !ok {
				return nil, errJSONSyntax
			}
			sc.i += 6
			switch {
			case r == 0:
				if !key && sc.inVariables() {
					continue // kept escaped in the variable's JSON text
				}
				return nil, sc.badString(key, start, "holds a NUL character (U+0000), which cannot be stored")
			case r >= 0xD800 && r < 0xDC00:
				lo, ok := rune(0), false
				if sc.i+1 < len(sc.b) && sc.b[sc.i] == '\\' && sc.b[sc.i+1] == 'u' {
					lo, ok = sc.hex4(sc.i + 2)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return nil, sc.badString(key, start, "holds an unpaired UTF-16 surrogate escape, which is not a character")
				}
				sc.i += 6
			case r >= 0xDC00 && r <= 0xDFFF:
				return nil, sc.badString(key, start, "holds an unpaired UTF-16 surrogate escape, which is not a character")
			}
		case c < utf8.RuneSelf:
			sc.i++
		default:
			r, size := utf8.DecodeRune(sc.b[sc.i:])
			if r == utf8.RuneError && size == 1 {
				return nil, sc.badString(key, start, fmt.Sprintf("is not valid UTF-8 (byte 0x%02x at byte %d)", c, sc.i))
			}
			sc.i += size
		}
	}
	return nil, errJSONSyntax
}

// keyString returns the key just read as a string: a substring of the
// body's text when it was read raw.
func (sc *jsonChecker) keyString(key []byte) string {
	if sc.keyAt < 0 {
		return string(key)
	}
	if sc.text == "" {
		sc.text = string(sc.b)
	}
	return sc.text[sc.keyAt : sc.keyAt+len(key)]
}

// plainByte tells the bytes a string holds as themselves: ASCII but the
// quote and the backslash (control characters cannot appear unescaped in
// a document the decoder accepted).
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hex4 reads the four hex digits of a \u escape at b[at:].
func (sc *jsonChecker) hex4(at int) (rune, bool) {
	if at+4 > len(sc.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(sc.b[at:at+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// inVariables tells whether the value being read lies in the top-level
// "variables" document.
func (sc *jsonChecker) inVariables() bool {
	p := sc.path
	return len(p) > 1 && p[0].at >= 0 && string(sc.b[p[0].at:p[0].end]) == "variables"
}

// badString says which string is refused and why. A key is shown as far as
// it can be read: its bad character is escaped.
func (sc *jsonChecker) badString(key bool, start int, why string) error {
	if key {
		end := bytes.IndexByte(sc.b[start:], '"')
		if end < 0 {
			end = len(sc.b) - start
		}
		return bindErrorf("request body: the key %s %s %s", strconv.QuoteToASCII(string(sc.b[start:start+end])), sc.where(), why)
	}
	return bindErrorf("request property '%s': the string %s", sc.pathString(), why)
}

// where names the object being read: "in changeset", "at the top level".
func (sc *jsonChecker) where() string {
	if len(sc.path) == 0 {
		return "at the top level"
	}
	return "in " + sc.pathString()
}

// pathString writes the path as members joined by dots and [n] for array
// positions: "changeset.retries", "startInstructions[0].elementId".
func (sc *jsonChecker) pathString() string {
	var b strings.Builder
	for i, p := range sc.path {
		if p.at < 0 {
			fmt.Fprintf(&b, "[%d]", p.index)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		k := string(sc.b[p.at:p.end])
		if strings.IndexByte(k, '\\') >= 0 {
			_ = json.Unmarshal(sc.b[p.at-1:p.end+1], &k) // checked: it cannot fail
		}
		if !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			k = strconv.QuoteToASCII(k)
		}
		b.WriteString(k)
	}
	return b.String()
}

// storable refuses a string outside a JSON body (a multipart field, a file
// name) that the stores could not keep as sent: one with a NUL character or
// invalid UTF-8. JSON bodies are checked by checkJSON.
func storable(what, s string) error {
	switch {
	case !utf8.ValidString(s):
		return bindErrorf("%s: %s is not valid UTF-8", what, strconv.QuoteToASCII(s))
	case strings.IndexByte(s, 0) >= 0:
		return bindErrorf("%s: %s holds a NUL character (U+0000), which cannot be stored", what, strconv.QuoteToASCII(s))
	}
	return nil
}

// member finds key among the fields of a struct: an exact name gives the
// field's own fields (nil when it is free-form, as variables are). Any
// other key is refused, as Camunda 8.8 refuses unknown properties: one
// that matches a field ignoring case as misspelt, the others as unknown,
// listing the known ones.
func (sc *jsonChecker) member(fs *fieldSet, key []byte) (*fieldSet, error) {
	if m, ok := fs.names[string(key)]; ok {
		return m, nil
	}
	for _, name := range fs.sorted {
		if strings.EqualFold(name, string(key)) {
			return nil, bindErrorf("request body: key '%s' %s is not '%s': keys are case-sensitive", key, sc.where(), name)
		}
	}
	return nil, bindErrorf("request body: key '%s' %s is not a property of this request (known: %s)", key, sc.where(), strings.Join(fs.sorted, ", "))
}

// fieldSet is what encoding/json reads from an object into a struct type:
// the JSON names of its fields, each with the field set of its own type
// (nil when that is not a struct, or decodes itself).
type fieldSet struct {
	names  map[string]*fieldSet
	sorted []string
}

// fieldSets caches fieldsOf by reflect.Type; buildFields holds a lock
// while it builds, and publishes only finished sets.
var (
	fieldSets   sync.Map
	buildFields sync.Mutex
)

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// fieldsOf returns the field set of t, looking through pointers, slices and
// arrays; nil when t is not read as a struct.
func fieldsOf(t reflect.Type) *fieldSet {
	t = structType(t)
	if t == nil {
		return nil
	}
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*fieldSet)
	}
	buildFields.Lock()
	defer buildFields.Unlock()
	built := map[reflect.Type]*fieldSet{}
	fs := fieldsIn(t, built)
	for bt, bfs := range built {
		fieldSets.Store(bt, bfs)
	}
	return fs
}

// structType is the struct type a JSON object is read into for t, or nil.
func structType(t reflect.Type) reflect.Type {
	for t != nil {
		if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
			return nil
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			t = t.Elem()
		case reflect.Struct:
			return t
		default:
			return nil
		}
	}
	return nil
}

// fieldsIn builds the field set of struct type t; built holds the sets
// being built, for types that hold themselves.
func fieldsIn(t reflect.Type, built map[reflect.Type]*fieldSet) *fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*fieldSet)
	}
	if fs := built[t]; fs != nil {
		return fs
	}
	fs := &fieldSet{names: map[string]*fieldSet{}}
	built[t] = fs
	addFields(fs, t, built)
	for name := range fs.names {
		fs.sorted = append(fs.sorted, name)
	}
	slices.Sort(fs.sorted)
	return fs
}

func addFields(fs *fieldSet, t reflect.Type, built map[reflect.Type]*fieldSet) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				addFields(fs, et, built) // promoted fields
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		var member *fieldSet
		if st := structType(f.Type); st != nil {
			member = fieldsIn(st, built)
		}
		fs.names[name] = member
	}
}

// separator reads what follows a member or an element: a comma (more
// follow) or the closing bracket (done).
func (sc *jsonChecker) separator(closing byte) (done bool, err error) {
	sc.skipSpace()
	if sc.i >= len(sc.b) {
		return false, errJSONSyntax
	}
	switch sc.b[sc.i] {
	case ',':
		sc.i++
		return false, nil
	case closing:
		sc.i++
		return true, nil
	}
	return false, errJSONSyntax
}
