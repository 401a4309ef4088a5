package rest

import (
	"context"
	"sync"

	"github.com/example/wf-engine/core/state"
)

// definition is what the API shows of a deployed process beyond the
// store's rows: its XML, name, version tag and element names. Definitions
// never change once deployed, so they are cached.
type definition struct {
	Key        int64
	ID         string
	Name       string
	VersionTag string
	Resource   []byte
	elements   map[string]string // element id -> name
	// hasStartForm is true when the none start event has a form.
	hasStartForm bool
}

// elementName returns an element's name, or its id when it has none.
func (d *definition) elementName(id string) string {
	if d != nil {
		if n := d.elements[id]; n != "" {
			return n
		}
	}
	return id
}

// displayName returns the process name, or its id when it has none.
func (d *definition) displayName() string {
	if d.Name != "" {
		return d.Name
	}
	return d.ID
}

type definitions struct {
	eng Engine

	mu    sync.RWMutex
	byKey map[int64]*definition
}

func newDefinitions(eng Engine) *definitions {
	return &definitions{eng: eng, byKey: map[int64]*definition{}}
}

// get returns the definition with the key, or nil when none is deployed.
func (d *definitions) get(ctx context.Context, key int64) (*definition, error) {
	d.mu.RLock()
	def, ok := d.byKey[key]
	d.mu.RUnlock()
	if ok {
		return def, nil
	}
	err := d.eng.Read(ctx, func(st *state.State) {
		p := st.Process(key)
		if p == nil {
			return
		}
		def = &definition{Key: key, ID: p.BPMNProcessID, Name: p.Name, VersionTag: p.VersionTag, Resource: p.Resource, elements: map[string]string{}}
		if m, err := st.Model(p); err == nil {
			def.elements[m.ID] = m.Name
			for id, el := range m.Elements {
				def.elements[id] = el.Name
			}
			def.hasStartForm = startFormOf(m) != nil
		}
	})
	if err != nil || def == nil {
		return nil, err
	}
	d.mu.Lock()
	d.byKey[key] = def
	d.mu.Unlock()
	return def, nil
}
