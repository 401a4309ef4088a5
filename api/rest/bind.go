package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/record"
)

// bind reads a JSON body into v. An empty body is fine when optional.
// Numbers are kept as json.Number so that large integers survive.
func (s *Server) bind(c *gin.Context, v any, optional bool) bool {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.tooLarge(c)
			return false
		}
		badRequest(c, "request body could not be read: %v", err)
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return true
		}
		badRequest(c, "the request body is required")
		return false
	}
	if err := decodeJSON(body, v); err != nil {
		badRequest(c, "%s", err.Error())
		return false
	}
	return true
}

// decodeJSON reads one JSON document into v, strictly: see checkJSON for
// what is refused besides what encoding/json refuses. Every request body is
// read through it; the error is a bindError that says what and where.
func decodeJSON(body []byte, v any) error {
	dec := numberDecoder(body)
	if err := dec.Decode(v); err != nil {
		return bindErrorf("%s", describeJSONError(err))
	}
	return checkJSON(body, int(dec.InputOffset()), reflect.TypeOf(v))
}

// multipartForm reads a multipart body whose parts are each named one of
// parts, or answers 400 or 413. The caller removes the form's files.
func (s *Server) multipartForm(c *gin.Context, parts ...string) (*multipart.Form, bool) {
	form, err := c.MultipartForm()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.tooLarge(c)
			return nil, false
		}
		badRequest(c, "expected a multipart/form-data body with parts named %s: %v", strings.Join(parts, ", "), err)
		return nil, false
	}
	if err := knownParts(form, parts...); err != nil {
		_ = form.RemoveAll()
		s.fail(c, "", err)
		return nil, false
	}
	return form, true
}

// knownParts refuses a multipart form with a part whose name is none of
// known, as checkJSON refuses a JSON key no property has (ADR 44): a
// misspelt "tenantid" is not dropped without a word.
func knownParts(form *multipart.Form, known ...string) error {
	names := make([]string, 0, len(form.Value)+len(form.File))
	for n := range form.Value {
		names = append(names, n)
	}
	for n := range form.File {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if !slices.Contains(known, n) {
			if err := storable("part name", n); err != nil {
				return err
			}
			return bindErrorf("request body: part '%s' is not a part of this request (known: %s)", n, strings.Join(known, ", "))
		}
	}
	return nil
}

// unmarshal decodes the first JSON value of b into v, keeping numbers as
// json.Number. It is for parts of a body that decodeJSON has checked.
func unmarshal(b []byte, v any) error { return numberDecoder(b).Decode(v) }

func numberDecoder(b []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec
}

func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("Request property [%s] cannot be parsed: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("the request body is not valid JSON (at byte %d): %v", se.Offset, se)
	}
	return "the request body cannot be parsed: " + err.Error()
}

// pathKey reads a key from the path; it answers 400 when it is not one.
func pathKey(c *gin.Context, name string) (int64, bool) {
	k, err := parseKey(c.Param(name))
	if err != nil {
		badRequest(c, "path parameter '%s': %v", name, err)
		return 0, false
	}
	return k, true
}

// variables decodes a variables document: absent or null is none; anything
// but a JSON object, or one larger than the limit, is a bindError.
func (s *Server) variables(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if int64(len(raw)) > s.cfg.MaxVariablesBytes {
		return nil, bindErrorf("variables: the document has %d bytes, more than the limit of %d bytes", len(raw), s.cfg.MaxVariablesBytes)
	}
	if raw[0] != '{' {
		return nil, bindErrorf("variables: expected a JSON object mapping variable names to values")
	}
	var m map[string]any
	if err := unmarshal(raw, &m); err != nil { // raw is part of a body decodeJSON checked
		return nil, bindErrorf("variables: %s", describeJSONError(err))
	}
	return m, nil
}

// maxMillis is the most milliseconds a time.Duration holds: a request's
// timeouts, back-offs and times to live are refused above it (api/openapi.yaml
// says so where it can), as they would overflow into the past.
const maxMillis = math.MaxInt64 / int64(time.Millisecond)

// tenantOr returns the tenant, or the default one when it is empty.
func tenantOr(tenant string) string {
	if tenant == "" {
		return record.DefaultTenant
	}
	return tenant
}
