package rest

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// ResourceResult is a deployed resource as GET /v2/resources/{resourceKey}
// shows it: a process definition (resourceId is its BPMN process id) or a
// form (its form id).
type ResourceResult struct {
	ResourceName string `json:"resourceName"`
	Version      int32  `json:"version"`
	VersionTag   string `json:"versionTag,omitempty"`
	ResourceID   string `json:"resourceId"`
	TenantID     string `json:"tenantId"`
	ResourceKey  Key    `json:"resourceKey"`
}

// deployedResource is a resource with its content.
type deployedResource struct {
	ResourceResult
	content []byte
}

// readResource finds the process definition or form with the key in the
// engine's state; nil when none is deployed (or it was deleted).
func (s *Server) readResource(ctx context.Context, key int64) (*deployedResource, error) {
	var out *deployedResource
	err := s.eng.Read(ctx, func(st *state.State) {
		if p := st.Process(key); p != nil {
			out = &deployedResource{ResourceResult: ResourceResult{ResourceName: p.ResourceName, Version: p.Version, VersionTag: p.VersionTag,
				ResourceID: p.BPMNProcessID, TenantID: state.TenantOrDefault(p.TenantID), ResourceKey: Key(key)}, content: p.Resource}
		} else if f := st.Form(key); f != nil {
			out = &deployedResource{ResourceResult: ResourceResult{ResourceName: f.ResourceName, Version: f.Version, VersionTag: f.VersionTag,
				ResourceID: f.FormID, TenantID: state.TenantOrDefault(f.TenantID), ResourceKey: Key(key)}, content: f.Resource}
		}
	})
	return out, err
}

// resourceTenant is guard's lookup of a resource's tenant.
func (s *Server) resourceTenant(ctx context.Context, q store.Query) (string, bool, error) {
	if len(q.Conditions) != 1 {
		return "", false, nil
	}
	key, ok := q.Conditions[0].Value.(int64)
	if !ok {
		return "", false, nil
	}
	r, err := s.readResource(ctx, key)
	if err != nil || r == nil {
		return "", false, err
	}
	return r.TenantID, true, nil
}

// resource answers the deployed resource of the path's key, or 404.
func (s *Server) resource(c *gin.Context) (*deployedResource, bool) {
	key, ok := pathKey(c, "resourceKey")
	if !ok {
		return nil, false
	}
	r, err := s.readResource(c.Request.Context(), key)
	switch {
	case err != nil:
		s.fail(c, "", err)
		return nil, false
	case r == nil:
		notFound(c, "Resource with key '%d' not found", key)
		return nil, false
	}
	return r, true
}

func (s *Server) getResource(c *gin.Context) {
	if r, ok := s.resource(c); ok {
		c.PureJSON(http.StatusOK, r.ResourceResult)
	}
}

func (s *Server) getResourceContent(c *gin.Context) {
	if r, ok := s.resource(c); ok {
		c.PureJSON(http.StatusOK, string(r.content))
	}
}

// deleteResource deletes a process definition version or a form version
// (Camunda's deleteResource): 200 without a body, as Camunda 8.8 answers.
func (s *Server) deleteResource(c *gin.Context) {
	key, ok := pathKey(c, "resourceKey")
	if !ok {
		return
	}
	var body OperationReferenceRequest
	if !s.bind(c, &body, true) {
		return
	}
	if err := s.eng.DeleteResource(c.Request.Context(), engine.DeleteResourceRequest{Key: key}); err != nil {
		s.fail(c, "DELETE", err)
		return
	}
	s.defs.forget(key)
	c.Status(http.StatusOK)
}

// forget drops a deleted definition from the cache.
func (d *definitions) forget(key int64) {
	d.mu.Lock()
	delete(d.byKey, key)
	d.mu.Unlock()
}
