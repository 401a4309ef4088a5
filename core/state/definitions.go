package state

// ProcessKeys returns the keys of the deployed process definitions in
// order: what a partition holds of the cluster-wide definitions, which the
// engine's router compares between partitions (distribution).
func (s *State) ProcessKeys() []int64 { return sortedKeys(s.processes) }

// FormKeys returns the keys of the deployed forms in order.
func (s *State) FormKeys() []int64 { return sortedKeys(s.fm.byKey) }
