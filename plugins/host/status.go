package host

// Status is one plugin's supervision as metrics report it.
type Status struct {
	// Restarts counts the times the host restarted the plugin's process.
	Restarts int
	// Up is true while a process of the plugin is in service.
	Up bool
}

// Status returns every plugin's status by name.
func (h *Host) Status() map[string]Status {
	out := make(map[string]Status, len(h.procs))
	for _, p := range h.procs {
		inst, restarts := p.current()
		out[p.cfg.Name] = Status{Restarts: restarts, Up: inst != nil}
	}
	return out
}
