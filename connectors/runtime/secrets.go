package runtime

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/example/wf-engine/sdk/connector"
)

// SecretSource looks secrets up by name.
type SecretSource interface {
	// Secret returns the secret's value, or false when it is not configured.
	Secret(name string) (string, bool)
}

// SecretMap is a SecretSource over a map of name to value.
type SecretMap map[string]string

// Secret implements SecretSource.
func (m SecretMap) Secret(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

// HostRestrictedSource is a SecretSource whose secrets may be restricted to
// the hosts they may be sent to.
type HostRestrictedSource interface {
	// AllowedHosts returns the hosts the secret may be sent to (host
	// names, *.example.com wildcards, IP addresses, CIDR prefixes), or nil
	// when it is not restricted.
	AllowedHosts(name string) []string
}

// Secret is a configured secret.
type Secret struct {
	// Value is what {{secrets.NAME}} resolves to.
	Value string
	// AllowedHosts are the hosts the secret may be sent to; nil: any host.
	AllowedHosts []string
}

// Secrets is a SecretSource over a map of name to secret, restricted to
// hosts where the secret says so.
type Secrets map[string]Secret

// Secret implements SecretSource.
func (m Secrets) Secret(name string) (string, bool) {
	s, ok := m[name]
	return s.Value, ok
}

// AllowedHosts implements HostRestrictedSource.
func (m Secrets) AllowedHosts(name string) []string { return m[name].AllowedHosts }

// SecretsFromEnv picks the secrets out of an environment (os.Environ's
// form, "KEY=value"): a variable named prefix+NAME is the secret NAME, for
// example WF_SECRET_TOKEN with prefix WF_SECRET_ is TOKEN. Variables with an
// empty name after the prefix are ignored.
func SecretsFromEnv(environ []string, prefix string) SecretMap {
	out := SecretMap{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, prefix) || len(k) == len(prefix) {
			continue
		}
		out[strings.TrimPrefix(k, prefix)] = v
	}
	return out
}

// placeholder is Camunda's secret reference; whitespace inside the braces
// is allowed.
var placeholder = regexp.MustCompile(`\{\{\s*secrets\.([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*\}\}`)

// resolver replaces {{secrets.NAME}} placeholders in a copy of a job's
// variables and remembers the values it put in, so that they can be
// redacted from whatever is written afterwards.
type resolver struct {
	source    SecretSource
	allowed   func(name string) bool
	connector string
	used      map[string]string // name → value
}

// resolve returns a deep copy of vars with every placeholder in a string
// (at any depth of maps and lists) replaced by its secret. A secret that is
// not configured, or that the connector did not declare, is an
// *connector.InputError naming the variable.
func (r *resolver) resolve(vars map[string]any) (map[string]any, error) {
	out, err := r.value(vars, "")
	if err != nil {
		return nil, err
	}
	m, _ := out.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func (r *resolver) value(v any, path string) (any, error) {
	switch x := v.(type) {
	case string:
		return r.str(x, path)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			c, err := r.value(e, p)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := r.value(e, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return v, nil
}

func (r *resolver) str(s, path string) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	var problem error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if problem != nil {
			return m
		}
		name := placeholder.FindStringSubmatch(m)[1]
		if !r.allowed(name) {
			problem = &connector.InputError{Field: fieldName(path), Reason: fmt.Sprintf("secret %s is not declared by connector %s", name, r.connector)}
			return m
		}
		val, ok := r.source.Secret(name)
		if !ok {
			problem = &connector.InputError{Field: fieldName(path), Reason: fmt.Sprintf("secret %s is not configured", name)}
			return m
		}
		if r.used == nil {
			r.used = map[string]string{}
		}
		r.used[name] = val
		return val
	})
	if problem != nil {
		return "", problem
	}
	return out, nil
}

func fieldName(path string) string {
	if path == "" {
		return "(variables)"
	}
	return path
}

// secretHosts lists the allowed hosts of the used secrets that are
// restricted; nil when none is.
func secretHosts(source SecretSource, used map[string]string) map[string][]string {
	hr, ok := source.(HostRestrictedSource)
	if !ok {
		return nil
	}
	var out map[string][]string
	for name := range used {
		hosts := hr.AllowedHosts(name)
		if hosts == nil {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[name] = append([]string{}, hosts...)
	}
	return out
}

// redactor replaces secret values with "***".
type redactor struct{ r *strings.Replacer }

// Mask replaces a secret value.
const Mask = "***"

func newRedactor(values map[string]string) redactor {
	vals := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return redactor{}
	}
	// Longest first, so that a secret containing another is masked whole.
	sort.Slice(vals, func(i, j int) bool {
		if len(vals[i]) != len(vals[j]) {
			return len(vals[i]) > len(vals[j])
		}
		return vals[i] < vals[j]
	})
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, Mask)
	}
	return redactor{r: strings.NewReplacer(pairs...)}
}

// String masks the secrets in s.
func (d redactor) String(s string) string {
	if d.r == nil {
		return s
	}
	return d.r.Replace(s)
}

// Value masks the secrets in every string of v, map keys included, and
// returns a copy; v is not changed.
func (d redactor) Value(v any) any {
	if d.r == nil {
		return v
	}
	switch x := v.(type) {
	case string:
		return d.r.Replace(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[d.r.Replace(k)] = d.Value(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = d.Value(e)
		}
		return out
	}
	return v
}

// Map is Value for a variables document.
func (d redactor) Map(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out, _ := d.Value(m).(map[string]any)
	return out
}
