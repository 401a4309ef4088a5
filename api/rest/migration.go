package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// MigrateProcessInstanceRequest is the body of a process instance
// migration, as Camunda 8.8 names it (ProcessInstanceMigrationInstruction).
type MigrateProcessInstanceRequest struct {
	TargetProcessDefinitionKey Key                `json:"targetProcessDefinitionKey"`
	MappingInstructions        []MigrationMapping `json:"mappingInstructions"`
	OperationReference         *int64             `json:"operationReference"`
}

// MigrationMapping maps an element of the instance's process definition
// to one of the target's.
type MigrationMapping struct {
	SourceElementID string `json:"sourceElementId"`
	TargetElementID string `json:"targetElementId"`
}

// plan turns the request into the engine's request for one instance.
func (r *MigrateProcessInstanceRequest) plan(key int64) (engine.MigrateInstanceRequest, error) {
	out := engine.MigrateInstanceRequest{ProcessInstanceKey: key, TargetProcessDefinitionKey: int64(r.TargetProcessDefinitionKey)}
	if out.TargetProcessDefinitionKey <= 0 {
		return out, bindErrorf("targetProcessDefinitionKey: expected a positive key, got %d", out.TargetProcessDefinitionKey)
	}
	if r.OperationReference != nil {
		out.OperationReference = *r.OperationReference
	}
	for i, m := range r.MappingInstructions {
		if m.SourceElementID == "" || m.TargetElementID == "" {
			return out, bindErrorf("mappingInstructions[%d]: expected a sourceElementId and a targetElementId", i)
		}
		out.Mappings = append(out.Mappings, record.MappingInstruction{SourceElementID: m.SourceElementID, TargetElementID: m.TargetElementID})
	}
	return out, nil
}

func (s *Server) migrateInstance(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	var req MigrateProcessInstanceRequest
	if !s.bind(c, &req, false) {
		return
	}
	plan, err := req.plan(key)
	if err == nil {
		err = s.eng.MigrateInstance(c.Request.Context(), plan)
	}
	if err != nil {
		s.fail(c, "MIGRATE", err)
		return
	}
	c.Status(http.StatusNoContent)
}

// maxBatchMigration bounds the process instances of one batch migration.
const maxBatchMigration = 1000

// MigrateProcessInstancesRequest is the body of a batch migration
// (wf-engine's /v2/x/ route): the instances, by key or by a process
// instance search filter, and one plan for all.
type MigrateProcessInstancesRequest struct {
	ProcessInstanceKeys []Key                         `json:"processInstanceKeys"`
	Filter              map[string]json.RawMessage    `json:"filter"`
	MigrationPlan       MigrateProcessInstanceRequest `json:"migrationPlan"`
	OperationReference  *int64                        `json:"operationReference"`
}

// MigrationItemResult is the outcome of one instance of a batch migration.
type MigrationItemResult struct {
	ProcessInstanceKey Key      `json:"processInstanceKey"`
	Migrated           bool     `json:"migrated"`
	Problem            *Problem `json:"problem,omitempty"`
}

// MigrateProcessInstancesResult answers a batch migration, in the order of
// the request's keys.
type MigrateProcessInstancesResult struct {
	Items    []MigrationItemResult `json:"items"`
	Migrated int                   `json:"migrated"`
	Failed   int                   `json:"failed"`
}

// migrateInstances migrates many process instances with one plan, one
// command per instance: each succeeds or is refused on its own, and the
// answer lists every outcome. Instances of tenants the caller may not use
// are answered as not found.
func (s *Server) migrateInstances(c *gin.Context) {
	var req MigrateProcessInstancesRequest
	if !s.bind(c, &req, false) {
		return
	}
	if (req.Filter == nil) == (req.ProcessInstanceKeys == nil) {
		badRequest(c, "expected either processInstanceKeys or filter")
		return
	}
	if req.Filter != nil {
		keys, err := s.activeInstances(c, req.Filter)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		req.ProcessInstanceKeys = keys
	} else if n := len(req.ProcessInstanceKeys); n == 0 || n > maxBatchMigration {
		badRequest(c, "processInstanceKeys: expected 1 to %d keys, got %d", maxBatchMigration, n)
		return
	}
	if req.OperationReference != nil {
		req.MigrationPlan.OperationReference = req.OperationReference
	}
	if _, err := req.MigrationPlan.plan(1); err != nil {
		s.fail(c, "", err)
		return
	}
	ctx := c.Request.Context()
	tenants := s.readTenants(ctx)
	out := MigrateProcessInstancesResult{Items: make([]MigrationItemResult, 0, len(req.ProcessInstanceKeys))}
	for _, k := range req.ProcessInstanceKeys {
		item := MigrationItemResult{ProcessInstanceKey: k}
		var err error
		if k <= 0 {
			err = bindErrorf("processInstanceKeys: expected a positive key, got %d", k)
		} else if tenants != nil {
			var ok bool
			if ok, err = s.mayUse(ctx, keyLookups["processInstanceKey"], "processInstanceKey", int64(k), tenants, nil); err == nil && !ok {
				err = &errNotFound{what: fmt.Sprintf("Process instance %d among the tenants of the caller", k)}
			}
		}
		if err == nil {
			plan, _ := req.MigrationPlan.plan(int64(k))
			err = s.eng.MigrateInstance(ctx, plan)
		}
		if err != nil {
			item.Problem = itemProblem(err)
			out.Failed++
		} else {
			item.Migrated = true
			out.Migrated++
		}
		out.Items = append(out.Items, item)
	}
	c.PureJSON(http.StatusOK, out)
}

// activeInstances returns the keys of the active process instances a
// search filter matches in the caller's tenants, in key order; more than
// maxBatchMigration is a 400. The filter's state is ACTIVE whatever it
// says, as in Camunda's batch operation.
func (s *Server) activeInstances(c *gin.Context, filter map[string]json.RawMessage) ([]Key, error) {
	filter["state"] = json.RawMessage(`"ACTIVE"`)
	q, err := buildQuery(&SearchRequest{Filter: filter}, instanceSearch)
	if err != nil {
		return nil, err
	}
	q.Tenants = s.readTenants(c.Request.Context())
	q.Sort = []store.SortField{{Field: "processInstanceKey"}}
	q.Limit = maxBatchMigration + 1
	page, err := s.q.SearchProcessInstances(c.Request.Context(), q)
	if err != nil {
		return nil, err
	}
	if len(page.Items) > maxBatchMigration {
		return nil, bindErrorf("filter: it matches more than %d active process instances; narrow it", maxBatchMigration)
	}
	keys := make([]Key, 0, len(page.Items))
	for _, p := range page.Items {
		keys = append(keys, Key(p.ProcessInstanceKey))
	}
	return keys, nil
}

// itemProblem describes why one instance of a batch was not migrated.
func itemProblem(err error) *Problem {
	p := &Problem{Type: "about:blank"}
	var be *bindError
	var nf *errNotFound
	switch rej, isRej := engine.AsRejection(err); {
	case isRej:
		p.Status, p.Title, p.Detail = rejectionStatus(rej.Type), rej.Type.String(), rej.Reason
	case errors.As(err, &be):
		p.Status, p.Title, p.Detail = http.StatusBadRequest, "INVALID_ARGUMENT", be.msg
	case errors.As(err, &nf):
		p.Status, p.Title, p.Detail = http.StatusNotFound, "NOT_FOUND", nf.Error()
	case errors.Is(err, engine.ErrOverloaded):
		p.Status, p.Title, p.Detail = http.StatusTooManyRequests, titleResourceExhausted, "the engine refused the command to keep its latency and memory bounded; retry later"
	case errors.Is(err, engine.ErrOutcomeUnknown):
		p.Status, p.Title, p.Detail = http.StatusServiceUnavailable, titleUnavailable, "the store connection was lost while the command was being committed: whether this instance was migrated is unknown"
	default:
		p.Status, p.Title, p.Detail = http.StatusServiceUnavailable, titleUnavailable, "the engine could not process the command; retry later"
	}
	return p
}
