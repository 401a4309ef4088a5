package element

import (
	"fmt"
	"sort"

	"github.com/example/wf-engine/core/model"
)

// Registry maps element kinds to their handlers. Build it once at start-up.
type Registry struct {
	handlers map[model.Kind]Handler
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{handlers: map[model.Kind]Handler{}} }

// Register adds a handler for kinds. Registering a kind twice is a
// programmer error and panics at start-up.
func (r *Registry) Register(h Handler, kinds ...model.Kind) {
	for _, k := range kinds {
		if _, dup := r.handlers[k]; dup {
			panic(fmt.Sprintf("element: kind %q registered twice", k))
		}
		r.handlers[k] = h
	}
}

// Handler returns the handler of a kind.
func (r *Registry) Handler(k model.Kind) (Handler, bool) {
	h, ok := r.handlers[k]
	return h, ok
}

// Kinds returns the registered kinds, sorted.
func (r *Registry) Kinds() []model.Kind {
	out := make([]model.Kind, 0, len(r.handlers))
	for k := range r.handlers {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
