package engine

import (
	"bytes"
	"sync"

	"github.com/example/wf-engine/core/model"
)

// modelCacheSize is how many parsed resources a models cache keeps.
const modelCacheSize = 8

// models parses process resources for a state and remembers the last few
// results, so that the N processes of one resource share one parse instead
// of each parsing the whole resource (which made a deployment of N
// processes quadratic). Parsing is a pure function of the bytes: whether a
// result comes from the cache never changes what a command or a replay
// does. Safe for concurrent use: deployments warm it off the writer.
type models struct {
	mu      sync.Mutex
	entries [modelCacheSize]modelEntry
	next    int
}

type modelEntry struct {
	content []byte // the resource, shared with the definitions that hold it (not copied)
	defs    *model.Definitions
}

func newModels() *models { return &models{} }

// parse returns the definitions of a resource, parsing it unless the cache
// holds them.
func (m *models) parse(b []byte) (*model.Definitions, error) {
	if defs := m.lookup(b); defs != nil {
		return defs, nil
	}
	defs, err := parseResource(b)
	if err != nil {
		return nil, err
	}
	m.add(b, defs)
	return defs, nil
}

func (m *models) lookup(b []byte) *model.Definitions {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.entries {
		// The same backing array compares equal at once; a copy (replay
		// reads each definition's resource on its own) costs one compare.
		if e.defs != nil && len(e.content) == len(b) && bytes.Equal(e.content, b) {
			return e.defs
		}
	}
	return nil
}

// add remembers the definitions parsed from b; defs must be a complete,
// valid parse of b.
func (m *models) add(b []byte, defs *model.Definitions) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[m.next] = modelEntry{content: b, defs: defs}
	m.next = (m.next + 1) % modelCacheSize
}
