// Package record defines the records of the engine's log: the envelope
// (position, key, kind, value type, intent, version, timestamp) and the typed
// values of commands, events and rejections. Its numeric codes are written to
// disk and must never be renumbered or reused; it holds no behaviour.
package record
