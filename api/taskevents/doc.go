// Package taskevents tells listeners that user tasks changed: a Hub wakes
// its subscribers after a batch with user-task records committed, with the
// batch's last log position and no task data. Hub.ObserveCommit is the
// engine's commit hook (engine.Config.OnCommit). It never reads state and never blocks a
// commit: a subscriber that has not taken the last wake-up gets one, not
// many.
package taskevents
