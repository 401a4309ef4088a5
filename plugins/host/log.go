package host

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// slogLogger adapts an slog.Logger to hclog.Logger, the logger go-plugin
// takes. go-plugin logs through it its own messages and the plugin's stderr
// lines (JSON lines keep their level and attributes, other lines come at
// debug). The slog logger already carries plugin=<name>.
type slogLogger struct {
	log  *slog.Logger
	name string
}

func newSlogLogger(l *slog.Logger) hclog.Logger { return &slogLogger{log: l} }

func slogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Log implements hclog.Logger.
func (s *slogLogger) Log(level hclog.Level, msg string, args ...any) {
	if s.name != "" {
		args = append([]any{"logger", s.name}, args...)
	}
	s.log.Log(context.Background(), slogLevel(level), msg, args...)
}

// Trace implements hclog.Logger.
func (s *slogLogger) Trace(msg string, args ...any) { s.Log(hclog.Trace, msg, args...) }

// Debug implements hclog.Logger.
func (s *slogLogger) Debug(msg string, args ...any) { s.Log(hclog.Debug, msg, args...) }

// Info implements hclog.Logger.
func (s *slogLogger) Info(msg string, args ...any) { s.Log(hclog.Info, msg, args...) }

// Warn implements hclog.Logger.
func (s *slogLogger) Warn(msg string, args ...any) { s.Log(hclog.Warn, msg, args...) }

// Error implements hclog.Logger.
func (s *slogLogger) Error(msg string, args ...any) { s.Log(hclog.Error, msg, args...) }

func (s *slogLogger) enabled(l hclog.Level) bool {
	return s.log.Enabled(context.Background(), slogLevel(l))
}

// IsTrace implements hclog.Logger.
func (s *slogLogger) IsTrace() bool { return s.enabled(hclog.Trace) }

// IsDebug implements hclog.Logger.
func (s *slogLogger) IsDebug() bool { return s.enabled(hclog.Debug) }

// IsInfo implements hclog.Logger.
func (s *slogLogger) IsInfo() bool { return s.enabled(hclog.Info) }

// IsWarn implements hclog.Logger.
func (s *slogLogger) IsWarn() bool { return s.enabled(hclog.Warn) }

// IsError implements hclog.Logger.
func (s *slogLogger) IsError() bool { return s.enabled(hclog.Error) }

// ImpliedArgs implements hclog.Logger; the attributes live in the slog
// logger, so there are none to report.
func (s *slogLogger) ImpliedArgs() []any { return nil }

// With implements hclog.Logger.
func (s *slogLogger) With(args ...any) hclog.Logger {
	return &slogLogger{log: s.log.With(args...), name: s.name}
}

// Name implements hclog.Logger.
func (s *slogLogger) Name() string { return s.name }

// Named implements hclog.Logger: the name goes to the "logger" attribute.
func (s *slogLogger) Named(name string) hclog.Logger {
	if s.name != "" {
		name = s.name + "." + name
	}
	return s.ResetNamed(name)
}

// ResetNamed implements hclog.Logger.
func (s *slogLogger) ResetNamed(name string) hclog.Logger {
	return &slogLogger{log: s.log, name: name}
}

// SetLevel implements hclog.Logger; the level is the slog handler's, so this
// does nothing.
func (s *slogLogger) SetLevel(hclog.Level) {}

// GetLevel implements hclog.Logger with the lowest level the slog handler
// lets through.
func (s *slogLogger) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if s.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

// StandardLogger implements hclog.Logger.
func (s *slogLogger) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(s.StandardWriter(opts), "", 0)
}

// StandardWriter implements hclog.Logger: each line becomes an info record.
func (s *slogLogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return &lineWriter{log: s.log, level: slog.LevelInfo}
}

// maxLine is the longest line a lineWriter buffers before it logs it anyway.
const maxLine = 64 << 10

// lineWriter logs what is written to it line by line. It is the sink of a
// plugin's stdout and stderr once Serve redirected them.
type lineWriter struct {
	log   *slog.Logger
	level slog.Level
	attrs []any

	mu  sync.Mutex
	buf []byte
}

// Write implements io.Writer.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) >= maxLine {
				w.emit(w.buf)
				w.buf = w.buf[:0]
			}
			return len(p), nil
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) emit(line []byte) {
	line = bytes.TrimRight(line, "\r")
	if len(line) == 0 {
		return
	}
	w.log.Log(context.Background(), w.level, string(line), w.attrs...)
}

// Interface guards
var (
	_ hclog.Logger = (*slogLogger)(nil)
	_ io.Writer    = (*lineWriter)(nil)
)
