package rest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// FuzzSearchFilter feeds search bodies to the filter decoder of the
// searches with the richest filters ($or, variables, lists, enums). The
// decoder never panics, and what it accepts the store either runs or
// refuses as a malformed query (a 400), never with another error (a 500).
func FuzzSearchFilter(f *testing.F) {
	for _, seed := range []string{
		`{"filter":{"state":"ACTIVE"}}`,
		`{"filter":{"processInstanceKey":{"$in":["1","2"],"$neq":3}}}`,
		`{"filter":{"processDefinitionVersion":{"$gte":"1","$lt":2,"$notIn":[5]}}}`,
		`{"filter":{"startDate":{"$gt":"2026-01-01T00:00:00Z","$exists":true}}}`,
		`{"filter":{"processDefinitionId":{"$like":"a\\*b?c*"}}}`,
		`{"filter":{"$or":[{"state":"ACTIVE"},{"variables":[{"name":"x","value":{"$like":"\"a*"}}]}]}}`,
		`{"filter":{"variables":[{"name":"x","value":"1"},{"name":"y","value":{"$in":["true","null"]}}]}}`,
		`{"filter":{"processInstanceVariables":[{"name":"a","value":"1"}],"localVariables":[{"name":"b","value":{"$exists":true}}],"candidateGroup":{"$in":["g"]}}}`,
		`{"filter":{"messageSubscriptionState":{"$neq":"CREATED"},"correlationKey":{"$like":"o-?"}},"sort":[{"field":"messageName","order":"DESC"}]}`,
		`{"filter":{"hasIncident":{"$eq":"true"}},"page":{"from":1,"limit":2}}`,
		`{"filter":{"elementId":{"$like":"task*"},"elementInstanceState":{"$in":["ACTIVE"]},"$or":[{"hasElementInstanceIncident":true}]}}`,
		`{"filter":{"$or":[]}}`,
		`{"filter":{"$or":[{"$or":[]}]}}`,
		`{"filter":{"variables":[{"name":"","value":{}}]}}`,
	} {
		f.Add([]byte(seed))
	}
	mem := memstore.New(memstore.Options{})
	f.Cleanup(func() { _ = mem.Close() })
	ctx := context.Background()
	run := map[*searchSpec]func(store.Query) error{
		instanceSearch: func(q store.Query) error { _, err := mem.SearchProcessInstances(ctx, q); return err },
		userTaskSearch: func(q store.Query) error { _, err := mem.SearchUserTasks(ctx, q); return err },
		messageSubscriptionSearch: func(q store.Query) error {
			_, err := mem.SearchMessageSubscriptions(ctx, q)
			return err
		},
		elementSearch: func(q store.Query) error { _, err := mem.SearchElementInstances(ctx, q); return err },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req SearchRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		for spec, search := range run {
			q, err := buildQuery(&req, spec)
			if err != nil {
				var be *bindError
				if !errors.As(err, &be) {
					t.Fatalf("%s: decoder error %T is not a 400: %v", spec.name, err, err)
				}
				continue
			}
			if err := search(q); err != nil {
				var qe *store.QueryError
				if !errors.As(err, &qe) {
					t.Fatalf("%s: %s: store error %T is not a malformed query: %v", spec.name, body, err, err)
				}
			}
		}
	})
}
