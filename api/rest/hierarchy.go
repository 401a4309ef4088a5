package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

// ProcessInstanceCallHierarchyEntry is one process instance of a call
// hierarchy, as Camunda 8.8 has it.
type ProcessInstanceCallHierarchyEntry struct {
	ProcessInstanceKey    Key    `json:"processInstanceKey"`
	ProcessDefinitionKey  Key    `json:"processDefinitionKey"`
	ProcessDefinitionName string `json:"processDefinitionName"`
}

// maxCallDepth bounds the walk up a call hierarchy: call activities cannot
// loop, but a corrupt store must not hold a request forever.
const maxCallDepth = 1000

// callHierarchy serves GET /v2/process-instances/{key}/call-hierarchy: the
// process instances from the root of the instance's call hierarchy down
// to the instance itself (the root alone for a root instance), each found
// by its key.
func (s *Server) callHierarchy(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	tenants := s.readTenants(ctx)
	var chain []ProcessInstanceCallHierarchyEntry
	for next := key; len(chain) < maxCallDepth; {
		q := byKey("processInstanceKey", next)
		q.Tenants = tenants
		p, err := s.q.SearchProcessInstances(ctx, q)
		row, err := first(p, err, "Process instance", next)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		name := row.ProcessDefinitionID
		def, err := s.defs.get(ctx, row.ProcessDefinitionKey)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		if def != nil {
			name = def.displayName()
		}
		chain = append(chain, ProcessInstanceCallHierarchyEntry{ProcessInstanceKey: Key(row.ProcessInstanceKey),
			ProcessDefinitionKey: Key(row.ProcessDefinitionKey), ProcessDefinitionName: name})
		if next = row.ParentProcessInstanceKey; next <= 0 {
			break
		}
	}
	out := make([]ProcessInstanceCallHierarchyEntry, 0, len(chain))
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, chain[i])
	}
	c.PureJSON(http.StatusOK, out)
}

// ProcessInstanceSequenceFlowResult is a sequence flow taken in a process
// instance, as Camunda 8.8 has it.
type ProcessInstanceSequenceFlowResult struct {
	SequenceFlowID       string `json:"sequenceFlowId"`
	ProcessInstanceKey   Key    `json:"processInstanceKey"`
	ProcessDefinitionKey Key    `json:"processDefinitionKey"`
	ProcessDefinitionID  string `json:"processDefinitionId"`
	ElementID            string `json:"elementId"`
	TenantID             string `json:"tenantId"`
}

// ProcessInstanceSequenceFlowsQueryResult is the answer of the sequence
// flows route.
type ProcessInstanceSequenceFlowsQueryResult struct {
	Items []ProcessInstanceSequenceFlowResult `json:"items"`
}

// sequenceFlows serves GET /v2/process-instances/{key}/sequence-flows:
// every sequence flow taken in the instance, once, by flow id.
func (s *Server) sequenceFlows(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	tenants := s.readTenants(ctx)
	q := byKey("processInstanceKey", key)
	q.Tenants = tenants
	p, err := s.q.SearchProcessInstances(ctx, q)
	if _, err = first(p, err, "Process instance", key); err != nil {
		s.fail(c, "", err)
		return
	}
	sq, ok := s.q.(store.SequenceFlowQuerier)
	if !ok {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This store does not keep the sequence flows taken.")
		return
	}
	flows, err := sq.SequenceFlows(ctx, key, tenants)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := ProcessInstanceSequenceFlowsQueryResult{Items: make([]ProcessInstanceSequenceFlowResult, 0, len(flows))}
	for _, f := range flows {
		out.Items = append(out.Items, ProcessInstanceSequenceFlowResult{SequenceFlowID: f.SequenceFlowID,
			ProcessInstanceKey: Key(f.ProcessInstanceKey), ProcessDefinitionKey: Key(f.ProcessDefinitionKey),
			ProcessDefinitionID: f.ProcessDefinitionID, ElementID: f.SequenceFlowID, TenantID: tenantOr(f.TenantID)})
	}
	c.PureJSON(http.StatusOK, out)
}
