package engine

import (
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// maxTenantIDLength is the longest tenant id Camunda accepts.
const maxTenantIDLength = 256

// requestTenant returns the tenant a command works in: the one it names, or
// the default tenant when it names none. A tenant id is "<default>" or 1 to
// 256 letters, digits and _@.+- as in Camunda; anything else is rejected.
func requestTenant(tenant string) (string, error) {
	if tenant == "" || tenant == record.DefaultTenant {
		return record.DefaultTenant, nil
	}
	if !validTenantID(tenant) {
		return "", reject(record.RejectionInvalidArgument, "expected a tenant id of at most %d letters, digits or '_@.+-' (or '%s'), but it is '%s'",
			maxTenantIDLength, record.DefaultTenant, printable(tenant))
	}
	return tenant, nil
}

// requestTenants checks the tenants of a job activation; none means the
// default tenant, as Camunda's REST API has it.
func requestTenants(tenants []string) error {
	for _, t := range tenants {
		if _, err := requestTenant(t); err != nil {
			return err
		}
	}
	return nil
}

func validTenantID(t string) bool {
	if len(t) == 0 || len(t) > maxTenantIDLength {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '@', c == '.', c == '+', c == '-':
		default:
			return false
		}
	}
	return true
}

// printable shortens a refused tenant id and hides its control characters,
// so that a rejection can quote it.
func printable(s string) string {
	const limit = 64
	out := make([]byte, 0, min(len(s), limit))
	for i := 0; i < len(s) && len(out) < limit; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			out = append(out, c)
		} else {
			out = append(out, '?')
		}
	}
	if len(s) > limit {
		return string(out) + "..."
	}
	return string(out)
}

// inTenant is how a rejection or incident names a tenant: nothing for the
// default tenant, so that a single-tenant engine says what it always said.
func inTenant(tenant string) string {
	if tenant = state.TenantOrDefault(tenant); tenant == record.DefaultTenant {
		return ""
	}
	return " in tenant '" + tenant + "'"
}
