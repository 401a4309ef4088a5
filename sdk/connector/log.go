package connector

import (
	"io"
	"log/slog"
	"os"
	"strings"
)

// processStderr is the plugin process's own stderr, taken before Serve
// redirects os.Stderr into the gRPC stdio stream. The host reads this file
// line by line and parses the JSON lines Logger writes.
var processStderr = os.Stderr

// hclogTime is the timestamp layout the go-plugin host parses.
const hclogTime = "2006-01-02T15:04:05.000000Z07:00"

// Logger returns a logger for plugin code. It writes JSON lines to the
// process's stderr in the shape the host parses, so each line arrives in
// wf-engine's log with its level, its attributes and plugin=<name>. Other
// stderr output arrives too, as plain debug lines. Like any log, never give
// it secrets or whole inputs.
func Logger() *slog.Logger { return newLogger(processStderr) }

// newLogger returns Logger's logger writing to w.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: slog.LevelDebug - 4, // hclog's trace
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				return slog.String("@timestamp", a.Value.Time().Format(hclogTime))
			case slog.LevelKey:
				return slog.String("@level", hclogLevel(a.Value.String()))
			case slog.MessageKey:
				return slog.String("@message", a.Value.String())
			}
			return a
		},
	}))
}

// hclogLevel maps a slog level name (INFO, WARN+2, DEBUG-4) to hclog's;
// levels below debug are trace.
func hclogLevel(s string) string {
	switch {
	case strings.HasPrefix(s, "ERROR"):
		return "error"
	case strings.HasPrefix(s, "WARN"):
		return "warn"
	case strings.HasPrefix(s, "INFO"):
		return "info"
	case strings.HasPrefix(s, "DEBUG-"):
		return "trace"
	}
	return "debug"
}
