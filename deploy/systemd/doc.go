// Package systemd holds no code: it is the home of wf-engine's systemd unit
// (wf-engine.service) with its example environment and configuration files,
// and of the tests that run `systemd-analyze verify` and `systemd-analyze
// security` on the unit, the engine's own configuration checks on the
// examples, and the engine under strace against the unit's system call
// filter. It must never be imported.
package systemd
