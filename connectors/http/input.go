package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/example/wf-engine/sdk/connector"
)

// request is the connector's input, read from Camunda's input names.
type request struct {
	method           string
	url              *url.URL
	headers          [][2]string // name, value; in a stable order
	body             any
	hasBody          bool
	ignoreNullValues bool
	auth             auth
	connectTimeout   time.Duration
	readTimeout      time.Duration
	followRedirects  bool
	returnText       bool
}

// auth is the authentication input.
type auth struct {
	kind                string // noAuth, basic, bearer, apiKey, oauth-client-credentials-flow
	username, password  string
	token               string
	apiKeyName          string
	apiKeyValue         string
	apiKeyInQuery       bool
	tokenEndpoint       *url.URL
	clientID            string
	clientSecret        string
	scopes              string
	audience            string
	credentialsInHeader bool
}

var methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// Camunda's template defaults.
const defaultTimeoutSeconds = 20

func inputErr(field, format string, args ...any) error {
	return &connector.InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// parseRequest reads and checks the input; every problem is an
// *connector.InputError naming the field.
func parseRequest(in map[string]any) (*request, error) {
	r := &request{method: "GET", followRedirects: true}
	if v, ok := in["method"]; ok && v != nil {
		s, ok := v.(string)
		if !ok || !methods[strings.ToUpper(strings.TrimSpace(s))] {
			return nil, inputErr("method", "expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, got %s", show(v))
		}
		r.method = strings.ToUpper(strings.TrimSpace(s))
	}
	u, err := parseURL(in["url"], "url")
	if err != nil {
		return nil, err
	}
	r.url = u
	if err := addQuery(r.url, in["queryParameters"], "queryParameters"); err != nil {
		return nil, err
	}
	if r.headers, err = parseHeaders(in["headers"]); err != nil {
		return nil, err
	}
	if b, ok := in["body"]; ok && b != nil {
		if s, isStr := b.(string); !isStr || strings.TrimSpace(s) != "" {
			r.body, r.hasBody = b, true
		}
	}
	if r.ignoreNullValues, err = boolInput(in, "ignoreNullValues", false); err != nil {
		return nil, err
	}
	if r.followRedirects, err = boolInput(in, "followRedirects", true); err != nil {
		return nil, err
	}
	if r.connectTimeout, err = secondsInput(in, "connectionTimeoutInSeconds"); err != nil {
		return nil, err
	}
	if r.readTimeout, err = secondsInput(in, "readTimeoutInSeconds"); err != nil {
		return nil, err
	}
	if f, ok := in["documentReturnFormat"].(map[string]any); ok {
		switch c, _ := f["choice"].(string); c {
		case "", "JSON":
		case "TEXT":
			r.returnText = true
		default:
			return nil, inputErr("documentReturnFormat.choice", "expected JSON or TEXT (documents are not supported), got %s", show(c))
		}
	}
	if r.auth, err = parseAuth(in["authentication"]); err != nil {
		return nil, err
	}
	return r, nil
}

func parseURL(v any, field string) (*url.URL, error) {
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return nil, inputErr(field, "expected an http or https URL, got %s", show(v))
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, inputErr(field, "not a valid URL: %s", urlErrReason(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, inputErr(field, "expected an http or https URL with a host, got %q", u.Redacted())
	}
	return u, nil
}

// urlErrReason keeps the reason of a URL parse error without the URL,
// which may hold credentials.
func urlErrReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func addQuery(u *url.URL, v any, field string) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return inputErr(field, "expected a context of parameter names to values, got %s", show(v))
	}
	q := u.Query()
	for _, k := range sortedKeys(m) {
		switch x := m[k].(type) {
		case nil:
		case []any:
			for i, e := range x {
				s, err := scalar(e, fmt.Sprintf("%s.%s[%d]", field, k, i))
				if err != nil {
					return err
				}
				q.Add(k, s)
			}
		default:
			s, err := scalar(x, field+"."+k)
			if err != nil {
				return err
			}
			q.Add(k, s)
		}
	}
	u.RawQuery = q.Encode()
	return nil
}

func parseHeaders(v any) ([][2]string, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, inputErr("headers", "expected a context of header names to values (or a JSON object), got a string that is not a JSON object")
		}
		v = m
	}
	m, ok := v.(map[string]any)
	if !ok {
		if s, isStr := v.(string); isStr && strings.TrimSpace(s) == "" {
			return nil, nil
		}
		return nil, inputErr("headers", "expected a context of header names to values, got %s", show(v))
	}
	out := make([][2]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		if !validHeaderName(k) {
			return nil, inputErr("headers", "%q is not a valid header name", k)
		}
		if m[k] == nil {
			continue
		}
		s, err := scalar(m[k], "headers."+k)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(s, "\r\n\x00") {
			return nil, inputErr("headers."+k, "a header value must not contain line breaks or NUL")
		}
		out = append(out, [2]string{k, s})
	}
	return out, nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

func parseAuth(v any) (auth, error) {
	a := auth{kind: "noAuth"}
	if v == nil {
		return a, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return a, inputErr("authentication", "expected a context with a type, got %s", show(v))
	}
	str := func(name string, required bool) (string, error) {
		field := "authentication." + name
		switch x := m[name].(type) {
		case nil:
			if required {
				return "", inputErr(field, "is required for authentication type %s", a.kind)
			}
			return "", nil
		case string:
			if required && strings.TrimSpace(x) == "" {
				return "", inputErr(field, "is required for authentication type %s", a.kind)
			}
			return x, nil
		default:
			return "", inputErr(field, "expected a string, got %s", show(x))
		}
	}
	kind, err := str("type", false)
	if err != nil {
		return a, err
	}
	if kind != "" {
		a.kind = kind
	}
	switch a.kind {
	case "noAuth":
	case "basic":
		if a.username, err = str("username", true); err != nil {
			return a, err
		}
		if a.password, err = str("password", false); err != nil {
			return a, err
		}
	case "bearer":
		if a.token, err = str("token", true); err != nil {
			return a, err
		}
	case "apiKey":
		if a.apiKeyName, err = str("name", true); err != nil {
			return a, err
		}
		if a.apiKeyValue, err = str("value", true); err != nil {
			return a, err
		}
		loc, err := str("apiKeyLocation", false)
		if err != nil {
			return a, err
		}
		switch loc {
		case "", "headers":
		case "query":
			a.apiKeyInQuery = true
		default:
			return a, inputErr("authentication.apiKeyLocation", "expected headers or query, got %q", loc)
		}
	case "oauth-client-credentials-flow":
		if a.tokenEndpoint, err = parseURL(m["oauthTokenEndpoint"], "authentication.oauthTokenEndpoint"); err != nil {
			return a, err
		}
		if a.clientID, err = str("clientId", true); err != nil {
			return a, err
		}
		if a.clientSecret, err = str("clientSecret", true); err != nil {
			return a, err
		}
		if a.scopes, err = str("scopes", false); err != nil {
			return a, err
		}
		if a.audience, err = str("audience", false); err != nil {
			return a, err
		}
		ca, err := str("clientAuthentication", false)
		if err != nil {
			return a, err
		}
		switch ca {
		case "", "basicAuthHeader":
			a.credentialsInHeader = true
		case "credentialsBody":
		default:
			return a, inputErr("authentication.clientAuthentication", "expected basicAuthHeader or credentialsBody, got %q", ca)
		}
	default:
		return a, inputErr("authentication.type", "expected noAuth, basic, bearer, apiKey or oauth-client-credentials-flow, got %q", a.kind)
	}
	return a, nil
}

func boolInput(in map[string]any, name string, def bool) (bool, error) {
	switch x := in[name].(type) {
	case nil:
		return def, nil
	case bool:
		return x, nil
	case string:
		switch strings.TrimSpace(x) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "":
			return def, nil
		}
	}
	return false, inputErr(name, "expected true or false, got %s", show(in[name]))
}

// secondsInput reads a timeout in whole seconds (a number or a numeric
// string, as a static input gives); 0 means no limit, absent is 20.
func secondsInput(in map[string]any, name string) (time.Duration, error) {
	v, ok := in[name]
	if !ok || v == nil {
		return defaultTimeoutSeconds * time.Second, nil
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case json.Number:
		n, err := x.Float64()
		if err != nil {
			return 0, inputErr(name, "expected a number of seconds, got %q", x.String())
		}
		f = n
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, inputErr(name, "expected a number of seconds, got %q", x)
		}
		f = n
	default:
		return 0, inputErr(name, "expected a number of seconds, got %s", show(v))
	}
	if f < 0 || f != math.Trunc(f) || f > 1e6 {
		return 0, inputErr(name, "expected a whole number of seconds between 0 and 1000000, got %v", f)
	}
	return time.Duration(f) * time.Second, nil
}

// scalar renders a string, number or boolean for a header or query value.
func scalar(v any, field string) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case json.Number:
		return x.String(), nil
	}
	return "", inputErr(field, "expected a string, number or boolean, got %s", show(v))
}

// show names a value's type for a message; strings are quoted but cut,
// since they may be large.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			return strconv.Quote(x[:40]) + "…"
		}
		return strconv.Quote(x)
	case bool:
		return "a boolean"
	case float64, int, int64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a context"
	}
	return fmt.Sprintf("a %T", v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
