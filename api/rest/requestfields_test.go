package rest

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// requestBodies names the Go type each operation with a JSON request body
// reads it into (bind, or the fast path's decodeFast).
var requestBodies = map[string]any{
	"PATCH /v2/jobs/{jobKey}":                                                              JobUpdateRequest{},
	"PATCH /v2/user-tasks/{userTaskKey}":                                                   UserTaskUpdateRequest{},
	"POST /v2/documents/{documentId}/links":                                                DocumentLinkRequest{},
	"POST /v2/incidents/{incidentKey}/resolution":                                          OperationReferenceRequest{},
	"POST /v2/jobs/activation":                                                             JobActivationRequest{},
	"POST /v2/jobs/{jobKey}/completion":                                                    JobCompletionRequest{},
	"POST /v2/jobs/{jobKey}/error":                                                         JobErrorRequest{},
	"POST /v2/jobs/{jobKey}/failure":                                                       JobFailRequest{},
	"POST /v2/messages/correlation":                                                        MessageCorrelationRequest{},
	"POST /v2/messages/publication":                                                        MessagePublicationRequest{},
	"POST /v2/process-instances":                                                           CreateProcessInstanceRequest{},
	"POST /v2/process-instances/{processInstanceKey}/cancellation":                         OperationReferenceRequest{},
	"POST /v2/process-instances/{processInstanceKey}/migration":                            MigrateProcessInstanceRequest{},
	"POST /v2/process-instances/{processInstanceKey}/modification":                         ModifyProcessInstanceRequest{},
	"POST /v2/resources/{resourceKey}/deletion":                                            OperationReferenceRequest{},
	"POST /v2/signals/broadcast":                                                           SignalBroadcastRequest{},
	"POST /v2/tenants":                                                                     TenantCreateRequest{},
	"PUT /v2/tenants/{tenantId}":                                                           TenantUpdateRequest{},
	"POST /v2/user-tasks/{userTaskKey}/assignment":                                         UserTaskAssignmentRequest{},
	"POST /v2/user-tasks/{userTaskKey}/completion":                                         UserTaskCompletionRequest{},
	"POST /v2/x/audit/search":                                                              AuditSearchRequest{},
	"POST /v2/x/process-instances/migration":                                               MigrateProcessInstancesRequest{},
	"PUT /v2/clock":                                                                        ClockPinRequest{},
	"PUT /v2/element-instances/{elementInstanceKey}/variables":                             SetVariableRequest{},
	"PUT /v2/x/log-level":                                                                  LogLevelRequest{},
	"POST /v2/process-definitions/{processDefinitionKey}/statistics/element-instances":     ElementStatisticsRequest{},
	"POST /v2/element-instances/ad-hoc-activities/{adHocSubProcessInstanceKey}/activation": AdHocSubProcessActivateActivitiesInstruction{},
}

// TestRequestTypesHoldEveryDescribedProperty: checkJSON refuses a key that
// no field of the Go type has (Camunda 8.8 refuses unknown properties), so
// every property api/openapi.yaml describes for a JSON request body must be
// a field of the type its handler reads the body into, at every depth the
// type models (a free-form part, such as variables or a search filter,
// checks itself). Every search reads SearchRequest.
func TestRequestTypesHoldEveryDescribedProperty(t *testing.T) {
	sr, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for op, route := range sr.ops {
		schema := jsonRequestSchema(route.Operation)
		if schema == nil {
			if _, listed := requestBodies[op]; listed {
				t.Errorf("%s is listed but has no JSON request body in the description", op)
			}
			continue
		}
		v, ok := requestBodies[op]
		if !ok && strings.HasSuffix(op, "/search") {
			v, ok = SearchRequest{}, true
		}
		if !ok {
			t.Errorf("%s: the description has a JSON request body; list the Go type its handler reads it into", op)
			continue
		}
		fs := fieldsOf(reflect.TypeOf(v))
		if fs == nil {
			t.Errorf("%s: %T is not read as a struct", op, v)
			continue
		}
		for _, p := range undescribedFields(schema, fs, "") {
			t.Errorf("%s: the description has property %s, which %T has no field for: a request sending it is refused", op, p, v)
		}
		checked++
	}
	for op := range requestBodies {
		if sr.ops[op] == nil {
			t.Errorf("%s is listed but not described", op)
		}
	}
	if checked < len(requestBodies) {
		t.Errorf("checked %d operations, fewer than the %d listed", checked, len(requestBodies))
	}
}

func jsonRequestSchema(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// undescribedFields returns the paths of the properties schema describes
// (through allOf, oneOf and anyOf, and into array items) that fs has no
// field for.
func undescribedFields(schema *openapi3.Schema, fs *fieldSet, prefix string) []string {
	if fs == nil {
		return nil // free-form in Go: what is sent is checked where it is read
	}
	props := map[string]*openapi3.Schema{}
	collectProperties(schema, props)
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	slices.Sort(names)
	var missing []string
	for _, n := range names {
		member, ok := fs.names[n]
		if !ok {
			missing = append(missing, prefix+n)
			continue
		}
		missing = append(missing, undescribedFields(props[n], member, prefix+n+".")...)
	}
	return missing
}

// collectProperties gathers the properties of an object schema, of the
// schemas it is composed of, and of an array schema's items.
func collectProperties(s *openapi3.Schema, into map[string]*openapi3.Schema) {
	if s == nil {
		return
	}
	if s.Items != nil {
		collectProperties(s.Items.Value, into)
	}
	for n, p := range s.Properties {
		if p != nil && into[n] == nil {
			into[n] = p.Value
		}
	}
	for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range refs {
			collectProperties(r.Value, into)
		}
	}
}
