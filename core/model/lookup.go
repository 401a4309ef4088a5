package model

// Process returns the process with the given id, or nil.
func (d *Definitions) Process(id string) *Process {
	if d == nil {
		return nil
	}
	for _, p := range d.Processes {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Element returns the flow node with the given id, nested ones included, or
// nil. The process's own id gives its Root, since the process is the root
// element of an instance.
func (p *Process) Element(id string) *Element {
	if p == nil {
		return nil
	}
	if el, ok := p.Elements[id]; ok {
		return el
	}
	if p.Root != nil && id == p.Root.ID && id != "" {
		return p.Root
	}
	return nil
}
