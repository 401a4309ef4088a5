package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// parseKey reads a key argument: a positive decimal int64.
func parseKey(name, s string) (int64, error) {
	k, err := strconv.ParseInt(s, 10, 64)
	if err != nil || k <= 0 {
		return 0, usageErrorf("%s: expected a positive decimal key, got %q", name, s)
	}
	return k, nil
}

// maxInputBytes bounds a variables document or model file wf reads.
const maxInputBytes = 64 << 20

// variables reads a --variables value: inline JSON, @file, or @- for
// standard input. It must be a JSON object; "" means none (nil).
func (a *app) variables(flag, v string) (json.RawMessage, error) {
	if v == "" {
		return nil, nil
	}
	src := "inline JSON"
	b := []byte(v)
	if path, ok := strings.CutPrefix(v, "@"); ok {
		var err error
		if path == "-" {
			src = "standard input"
			if a.stdin != nil {
				b, err = io.ReadAll(io.LimitReader(a.stdin, maxInputBytes+1))
			}
		} else {
			src = path
			b, err = readFile(path)
		}
		if err != nil {
			return nil, usageErrorf("%s: read %s: %v", flag, src, err)
		}
	}
	b = bytes.TrimSpace(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, usageErrorf("%s (%s): expected a JSON object: %s", flag, src, jsonError(b, err))
	}
	if obj == nil {
		return nil, usageErrorf("%s (%s): expected a JSON object, got null", flag, src)
	}
	if dec.More() {
		return nil, usageErrorf("%s (%s): expected one JSON object, but more follows it", flag, src)
	}
	return json.RawMessage(b), nil
}

// jsonError says where a JSON document went wrong.
func jsonError(b []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("got a JSON %s", te.Value)
	}
	if errors.Is(err, io.EOF) || len(b) == 0 {
		return "the document is empty"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the document ends early"
	}
	return err.Error()
}

// readFile reads a file the user named, bounded in size.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path) // #nosec G304 -- the user names the file to read
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxInputBytes+1))
	if err != nil {
		return nil, unwrapPath(err)
	}
	if len(b) > maxInputBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxInputBytes)
	}
	return b, nil
}

// oneOf checks an enumerated flag value (case-insensitive) and returns it
// in upper case; "" stays "".
func oneOf(flag, v string, allowed ...string) (string, error) {
	if v == "" {
		return "", nil
	}
	up := strings.ToUpper(v)
	for _, a := range allowed {
		if up == a {
			return up, nil
		}
	}
	return "", usageErrorf("%s: expected one of %s, got %q", flag, strings.Join(allowed, ", "), v)
}
