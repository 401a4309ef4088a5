package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api"
)

// specRoutes are the operations of api/openapi.yaml by "METHOD /path".
type specRoutes struct {
	doc *openapi3.T
	ops map[string]*routers.Route
}

func loadSpec() (*specRoutes, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load openapi description: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("check openapi description: %w", err)
	}
	sr := &specRoutes{doc: doc, ops: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			sr.ops[method+" "+path] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return sr, nil
}

// Operations lists the operations of the description as "METHOD /path".
func (sr *specRoutes) Operations() []string {
	out := make([]string, 0, len(sr.ops))
	for k := range sr.ops {
		out = append(out, k)
	}
	return out
}

// SpecOperations lists the operations api/openapi.yaml describes, as
// "METHOD /path/{param}".
func (s *Server) SpecOperations() []string { return s.spec.Operations() }

// openAPIPath turns gin's /a/:b into OpenAPI's /a/{b}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") {
			parts[i] = "{" + part[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// validate checks a request against its operation in the description:
// path parameters, query parameters, content type and body.
func (s *Server) validate(c *gin.Context) {
	if s.validateFast(c) {
		c.Next()
		return
	}
	rt := s.spec.ops[c.Request.Method+" "+openAPIPath(c.FullPath())]
	if rt == nil {
		c.Next()
		return
	}
	opts := &openapi3filter.Options{SkipSettingDefaults: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	if rb := rt.Operation.RequestBody; rb != nil && rb.Value != nil && c.Request.ContentLength != 0 {
		mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
		if err != nil || rb.Value.Content.Get(mt) == nil {
			writeProblem(c, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
				fmt.Sprintf("Content type %q is not supported here; send %s", c.GetHeader("Content-Type"), strings.Join(mediaTypes(rb.Value.Content), " or ")))
			return
		}
		if mt == "multipart/form-data" {
			opts.ExcludeRequestBody = true // the handler reads the parts itself
		} else if !s.integersAsSent(c, rb.Value.Content.Get(mt)) {
			return
		}
	}
	params := make(map[string]string, len(c.Params))
	for _, p := range c.Params {
		params[p.Key] = p.Value
	}
	in := &openapi3filter.RequestValidationInput{Request: c.Request, PathParams: params, Route: rt, Options: opts}
	if err := openapi3filter.ValidateRequest(c.Request.Context(), in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.tooLarge(c)
			return
		}
		badRequest(c, "%s", describeValidation(err))
		return
	}
	c.Next()
}

// integersAsSent rewrites the integers the body sends as strings into
// numbers (see numbers.go); it answers 400 or 413 and returns false when
// the body cannot be read or an integer field holds anything else.
func (s *Server) integersAsSent(c *gin.Context, mt *openapi3.MediaType) bool {
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || c.Request.Body == nil {
		return true
	}
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
	body, err = lenientIntegers(body, mt.Schema.Value)
	if err != nil {
		badRequest(c, "%s", err.Error())
		return false
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	c.Request.ContentLength = int64(len(body))
	c.Request.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return true
}

func mediaTypes(content openapi3.Content) []string {
	var out []string
	for mt := range content {
		out = append(out, mt)
	}
	return out
}

// describeValidation says which field of the request is wrong and why.
func describeValidation(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return err.Error()
	}
	where := "request body"
	if re.Parameter != nil {
		where = fmt.Sprintf("%s parameter '%s'", re.Parameter.In, re.Parameter.Name)
	}
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		reason := se.Reason
		if reason == "" {
			reason = se.Error()
		}
		path := se.JSONPointer()
		if inner, ok := alternativeError(se); ok {
			// The value matches none of the schema's alternatives but
			// has the JSON type of one: that one says what is wrong.
			reason, path = inner.Reason, append(slices.Clip(path), inner.JSONPointer()...)
			if reason == "" {
				reason = inner.Error()
			}
		} else if alts := alternativeTypes(se); alts != "" {
			reason = "expected " + alts
		}
		if ptr := strings.Join(path, "."); ptr != "" {
			if re.Parameter != nil {
				return fmt.Sprintf("%s, property '%s': %s", where, ptr, reason)
			}
			return fmt.Sprintf("request property '%s': %s", ptr, reason)
		}
		return fmt.Sprintf("%s: %s", where, reason)
	}
	reason := re.Reason
	if re.Err != nil {
		if reason != "" {
			reason += ": "
		}
		reason += re.Err.Error()
	}
	return fmt.Sprintf("%s: %s", where, reason)
}

// alternatives returns the alternatives of the anyOf or oneOf that se
// reports, or nil when se reports something else.
func alternatives(se *openapi3.SchemaError) openapi3.SchemaRefs {
	switch {
	case se.Schema == nil:
		return nil
	case se.SchemaField == "anyOf":
		return se.Schema.AnyOf
	case se.SchemaField == "oneOf":
		return se.Schema.OneOf
	}
	return nil
}

// alternativeError validates the value se reports against the one
// alternative of its anyOf or oneOf that has the value's JSON type, if
// exactly one has: an object of filter operators with an unknown operator
// is then refused for that operator, not for matching no alternative.
func alternativeError(se *openapi3.SchemaError) (*openapi3.SchemaError, bool) {
	kind := jsonKind(se.Value)
	var match *openapi3.Schema
	for _, alt := range alternatives(se) {
		if alt.Value == nil || !fits(alt.Value.Type, kind) {
			continue
		}
		if match != nil {
			return nil, false
		}
		match = alt.Value
	}
	if match == nil {
		return nil, false
	}
	var inner *openapi3.SchemaError
	if err := match.VisitJSON(se.Value); !errors.As(err, &inner) {
		return nil, false
	}
	return inner, true
}

// fits reports whether a schema of types takes a value of JSON type kind
// (a number may be an integer's).
func fits(types *openapi3.Types, kind string) bool {
	return types.Permits(kind) || kind == openapi3.TypeNumber && types.Is(openapi3.TypeInteger)
}

// alternativeTypes names the JSON types an anyOf or oneOf allows: "a
// string, a number or an object"; "" when se reports something else.
func alternativeTypes(se *openapi3.SchemaError) string {
	var names []string
	for _, alt := range alternatives(se) {
		if alt.Value == nil || alt.Value.Type == nil {
			return ""
		}
		for _, t := range *alt.Value.Type {
			name := "a " + t
			if t == openapi3.TypeArray || t == openapi3.TypeObject || t == openapi3.TypeInteger {
				name = "an " + t
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// jsonKind is the JSON type of a value decoded from JSON.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return openapi3.TypeObject
	case []any:
		return openapi3.TypeArray
	case string:
		return openapi3.TypeString
	case bool:
		return openapi3.TypeBoolean
	case nil:
		return openapi3.TypeNull
	}
	return openapi3.TypeNumber
}
