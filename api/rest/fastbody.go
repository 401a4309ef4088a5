package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"

	"github.com/gin-gonic/gin"
)

// The hot routes of a job-worker workload (create an instance, activate
// jobs, complete a job) are validated on a fast path: the body is read
// once, decoded once into the handler's request type (its variables into
// the map the engine takes), and checked by hand against what
// api/openapi.yaml says of that route. The fast path only ever accepts:
// whenever a body is anything but plainly valid (a string where an integer
// goes, a null, an escape, a key of the route's schema sent empty, a value
// out of bounds, a key sent twice ...), it gives up and the request takes
// the generic path (lenientIntegers, the OpenAPI validator, bind), which
// answers exactly as it always has. A body the fast path accepts is one the
// generic path accepts and decodes to the same request: fastbody_test.go
// runs both on the same bodies and compares the outcomes.

// decodedKey holds, in a request's context, the body the fast path decoded.
const decodedKey = "wf.decodedBody"

// fastDecoder decodes and checks one route's body; ok false sends the
// request to the generic path.
type fastDecoder func(s *Server, c *gin.Context, body []byte) (decoded any, ok bool)

// fastDecoders are the routes with a fast path, by method and gin path.
var fastDecoders = map[string]fastDecoder{
	http.MethodPost + " /v2/process-instances":       fastCreate,
	http.MethodPost + " /v2/jobs/activation":         fastActivation,
	http.MethodPost + " /v2/jobs/:jobKey/completion": fastCompletion,
}

// createBody is a create request decoded on the fast path, with its
// variables.
type createBody struct {
	req     CreateProcessInstanceRequest
	vars    map[string]any
	decoded bool // vars hold the decoded variables
}

// completionBody is a job completion decoded on the fast path.
type completionBody struct {
	vars map[string]any
}

// validateFast validates the request on its route's fast path. It returns
// true when the request is valid and decoded (stored under decodedKey), or
// when it has answered (the body could not be read); false sends it down
// the generic path with the body as sent.
func (s *Server) validateFast(c *gin.Context) (done bool) {
	dec := fastDecoders[c.Request.Method+" "+c.FullPath()]
	if dec == nil || s.noFastPath || c.Request.URL.RawQuery != "" || c.Request.Body == nil || c.Request.ContentLength == 0 ||
		c.Request.Header.Get("Content-Type") != "application/json" || !plainIdempotencyKey(c.Request.Header) {
		return false
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil { // as integersAsSent answers, which the generic path reaches with this content type
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.tooLarge(c)
			return true
		}
		badRequest(c, "request body could not be read: %v", err)
		return true
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body)) // for the idempotency fingerprint, or the generic path
	c.Request.ContentLength = int64(len(body))
	c.Request.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if !plainJSON(body) {
		return false
	}
	decoded, ok := dec(s, c, body)
	if !ok {
		return false
	}
	c.Set(decodedKey, decoded)
	return true
}

// decoded returns the body the validator decoded on the fast path, if it
// did.
func decoded[T any](c *gin.Context) (T, bool) {
	d, ok := c.Get(decodedKey)
	if !ok {
		var zero T
		return zero, false
	}
	v, ok := d.(T)
	return v, ok
}

// plainIdempotencyKey reports whether the request's Idempotency-Key header
// is absent or one value the description allows (1 to 255 characters).
func plainIdempotencyKey(h http.Header) bool {
	v := h.Values(idempotencyHeader)
	return len(v) == 0 || len(v) == 1 && len(v[0]) >= 1 && len(v[0]) <= 255
}

// plainJSON reports whether a body holds no escape and no null: then a
// zero value decoded means the key was absent or sent as that zero, and
// no key is spelled differently from the way it is matched.
func plainJSON(body []byte) bool {
	return bytes.IndexByte(body, '\\') < 0 && !bytes.Contains(body, []byte("null"))
}

// decodeFast decodes body into v strictly (as decodeJSON: checkJSON's
// checks included); body is one JSON document.
func decodeFast(body []byte, v any) bool {
	return json.Unmarshal(body, v) == nil && checkJSON(body, len(body), reflect.TypeOf(v)) == nil
}

// sent reports whether body names the key: for a key whose zero value
// decoded cannot tell absent from sent empty. It may report true for a
// key that is only a value or deeper in the document: then the generic
// path decides.
func sent(body []byte, key string) bool {
	return bytes.Contains(body, []byte(`"`+key+`"`))
}

// maxMillisInput is the largest millisecond count the description allows.
const maxMillisInput = 9223372036854

func fastCreate(s *Server, _ *gin.Context, body []byte) (any, bool) {
	d := &createBody{}
	r := &d.req
	if !decodeFast(body, r) || r.ProcessDefinitionKey != nil || r.OperationReference != nil || len(r.StartInstructions) > 0 || len(r.RuntimeInstructions) > 0 {
		return nil, false
	}
	if !definitionID(r.ProcessDefinitionID) ||
		r.ProcessDefinitionVersion != nil && *r.ProcessDefinitionVersion < -1 ||
		r.TenantID == "" && sent(body, "tenantId") || r.TenantID != "" && !tenantID(r.TenantID) ||
		r.RequestTimeout < 0 || r.RequestTimeout > maxMillisInput || len(r.Tags) > 10 || !objectOrAbsent(r.Variables) {
		return nil, false
	}
	for _, t := range r.Tags {
		if !tag(t) {
			return nil, false
		}
	}
	vars, err := s.variables(r.Variables)
	if err != nil {
		return nil, false
	}
	d.vars, d.decoded = vars, true
	return d, true
}

func fastActivation(_ *Server, _ *gin.Context, body []byte) (any, bool) {
	r := &JobActivationRequest{}
	if !decodeFast(body, r) || r.Type == "" || r.Timeout < 1 || r.Timeout > maxMillisInput || r.MaxJobsToActivate < 1 ||
		r.RequestTimeout > maxMillisInput {
		return nil, false
	}
	for _, t := range r.TenantIDs {
		if !tenantID(t) {
			return nil, false
		}
	}
	return r, true
}

func fastCompletion(s *Server, c *gin.Context, body []byte) (any, bool) {
	var r JobCompletionRequest
	if !longKey(c.Param("jobKey")) || !decodeFast(body, &r) || !objectOrAbsent(r.Variables) || !objectOrAbsent(r.Result) {
		return nil, false
	}
	vars, err := s.variables(r.Variables)
	if err != nil {
		return nil, false
	}
	return &completionBody{vars: vars}, true
}

// objectOrAbsent reports whether raw is absent or a JSON object.
func objectOrAbsent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || raw[0] == '{'
}

// definitionID matches ProcessInstanceCreationInstruction's
// processDefinitionId: ^[a-zA-Z_][a-zA-Z0-9_\-\.]*$.
func definitionID(s string) bool {
	if s == "" || !isLetter(s[0]) && s[0] != '_' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIDByte(s[i]) {
			return false
		}
	}
	return true
}

func isIDByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c == '-' || c == '.' }

// tenantID matches TenantId: 1 to 256 characters, ^(<default>|[A-Za-z0-9_@.+-]+)$.
func tenantID(s string) bool {
	if s == "<default>" {
		return true
	}
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTenantByte(s[i]) {
			return false
		}
	}
	return true
}

func isTenantByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '@' || c == '.' || c == '+' || c == '-'
}

// tag matches Tag: ^[A-Za-z][A-Za-z0-9_\-:.]{0,99}$.
func tag(s string) bool {
	if s == "" || len(s) > 100 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isTagByte(s[i]) {
			return false
		}
	}
	return true
}

// longKey matches LongKey: 1 to 25 characters, ^-?[0-9]+$.
func longKey(s string) bool {
	if len(s) > 25 {
		return false
	}
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isTagByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '-' || c == ':' || c == '.'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
