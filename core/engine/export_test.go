package engine

// WaitingForCommit returns how many commands the loop has run into the
// batch that waits for the committer to be free.
func (e *Engine) WaitingForCommit() int { return int(e.waiting.Load()) }
