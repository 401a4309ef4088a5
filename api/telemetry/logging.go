package telemetry

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
)

// LogHandler is the server's slog handler: JSON lines (text when the output
// is a terminal), at a level that can change at run time, with trace_id and
// span_id on every line logged with a context that carries a span. It can
// count its lines by level for metrics.
type LogHandler struct {
	inner slog.Handler
	level *slog.LevelVar
	count *atomic.Pointer[func(level string)]
}

// NewLogHandler returns a handler writing to w at level. It writes text
// when w is a terminal, JSON otherwise.
func NewLogHandler(w io.Writer, level slog.Level) *LogHandler {
	lv := new(slog.LevelVar)
	lv.Set(level)
	opts := &slog.HandlerOptions{Level: lv}
	var inner slog.Handler = slog.NewJSONHandler(w, opts)
	if terminal(w) {
		inner = slog.NewTextHandler(w, opts)
	}
	return &LogHandler{inner: inner, level: lv, count: new(atomic.Pointer[func(string)])}
}

// terminal reports whether w is a character device (a terminal).
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// Level is the handler's level; setting it changes what every logger
// sharing the handler writes.
func (h *LogHandler) Level() *slog.LevelVar { return h.level }

// CountWith has every line written counted by fn, with its level's name.
func (h *LogHandler) CountWith(fn func(level string)) { h.count.Store(&fn) }

// Enabled implements slog.Handler.
func (h *LogHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	if fn := h.count.Load(); fn != nil {
		(*fn)(r.Level.String())
	}
	return h.inner.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &LogHandler{inner: h.inner.WithAttrs(attrs), level: h.level, count: h.count}
}

// WithGroup implements slog.Handler.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	return &LogHandler{inner: h.inner.WithGroup(name), level: h.level, count: h.count}
}

// Interface guards
var _ slog.Handler = (*LogHandler)(nil)
