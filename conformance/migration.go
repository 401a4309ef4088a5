package conformance

import (
	"strconv"
	"strings"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// migration builds a migration of the newest instance from
// `migrate process=P version=N map=a:b,c:d tenant=T`: to version N of
// process P (the latest version without one; "key:N" in process names a
// definition key), mapping element a to b and c to d.
func (r *runner) migration(args map[string]string) (engine.MigrateInstanceRequest, string) {
	var req engine.MigrateInstanceRequest
	if len(r.instances) == 0 {
		return req, "no instance to migrate"
	}
	req.ProcessInstanceKey = r.instances[len(r.instances)-1]
	if k, ok := strings.CutPrefix(args["process"], "key:"); ok {
		n, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return req, err.Error()
		}
		req.TargetProcessDefinitionKey = n
	} else {
		r.h.State(func(s *state.State) { req.TargetProcessDefinitionKey = definitionKey(s, args) })
		if req.TargetProcessDefinitionKey == 0 {
			return req, "no such process version"
		}
	}
	if m := args["map"]; m != "" {
		for _, pair := range strings.Split(m, ",") {
			s, t, ok := strings.Cut(pair, ":")
			if !ok {
				return req, "map: expected source:target, got " + pair
			}
			req.Mappings = append(req.Mappings, record.MappingInstruction{SourceElementID: s, TargetElementID: t})
		}
	}
	return req, ""
}

// definitionKey finds the key of a deployed process version (process=ID,
// version=N, else the latest; tenant=T).
func definitionKey(s *state.State, args map[string]string) int64 {
	tenant := state.TenantOrDefault(args["tenant"])
	def := s.LatestProcess(tenant, args["process"])
	if v, err := strconv.Atoi(args["version"]); err == nil {
		def = s.ProcessVersion(tenant, args["process"], int32(v))
	}
	if def == nil {
		return 0
	}
	return def.ProcessDefinitionKey
}
