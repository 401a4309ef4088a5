package engine

// WaitingForCommit returns how many commands the loop has run into the
// batch that waits for the committer to be free.
func (e *Engine) WaitingForCommit() int { return int(e.waiting.Load()) }

// ParkedPolls returns how many long polls the loop holds parked.
func (e *Engine) ParkedPolls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, list := range e.waiters {
		for _, w := range list {
			if w.parked != nil {
				n++
			}
		}
	}
	return n
}
