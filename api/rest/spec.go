package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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
		if ptr := strings.Join(se.JSONPointer(), "."); ptr != "" {
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
