package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// The answers of the hot routes (a created instance, activated jobs) are
// written by hand into a pooled buffer instead of through encoding/json's
// reflection: the same JSON as c.PureJSON writes, keys as strings,
// variables that are already JSON text written verbatim.

// jsonContentType is what c.PureJSON sends.
const jsonContentType = "application/json; charset=utf-8"

// answerBuffers keep the buffers answers are written into: c.Data copies
// an answer out before the buffer goes back.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// writeAnswer writes status and the JSON that fill appends, or the
// failure when fill fails (a variable that cannot be encoded).
func (s *Server) writeAnswer(c *gin.Context, status int, fill func(b []byte) ([]byte, error)) {
	bp, ok := answerBuffers.Get().(*[]byte)
	if !ok {
		bp = new([]byte)
	}
	b, err := fill((*bp)[:0])
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.Data(status, jsonContentType, b)
	if cap(b) <= 64<<10 { // keep small buffers only
		*bp = b[:0]
		answerBuffers.Put(bp)
	}
}

// appendCreated appends a CreateProcessInstanceResult, its variables (JSON
// text) verbatim, by name.
func appendCreated(b []byte, r *CreateProcessInstanceResult) []byte {
	b = append(b, `{"processDefinitionId":`...)
	b = appendString(b, r.ProcessDefinitionID)
	b = append(b, `,"processDefinitionVersion":`...)
	b = strconv.AppendInt(b, int64(r.ProcessDefinitionVersion), 10)
	b = append(b, `,"tenantId":`...)
	b = appendString(b, r.TenantID)
	b = append(b, `,"variables":{`...)
	for i, name := range slices.Sorted(mapKeys(r.Variables)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, name)
		b = append(b, ':')
		b = append(b, r.Variables[name]...)
	}
	b = append(b, `},"processDefinitionKey":`...)
	b = appendKey(b, r.ProcessDefinitionKey)
	b = append(b, `,"processInstanceKey":`...)
	b = appendKey(b, r.ProcessInstanceKey)
	return append(b, '}')
}

// appendActivated appends a JobActivationResult.
func appendActivated(b []byte, jobs []ActivatedJobResult) ([]byte, error) {
	b = append(b, `{"jobs":[`...)
	for i := range jobs {
		if i > 0 {
			b = append(b, ',')
		}
		j := &jobs[i]
		b = append(b, `{"jobKey":`...)
		b = appendKey(b, j.JobKey)
		b = append(b, `,"type":`...)
		b = appendString(b, j.Type)
		b = append(b, `,"processDefinitionId":`...)
		b = appendString(b, j.ProcessDefinitionID)
		b = append(b, `,"processDefinitionVersion":`...)
		b = strconv.AppendInt(b, int64(j.ProcessDefinitionVersion), 10)
		b = append(b, `,"processDefinitionKey":`...)
		b = appendKey(b, j.ProcessDefinitionKey)
		b = append(b, `,"processInstanceKey":`...)
		b = appendKey(b, j.ProcessInstanceKey)
		b = append(b, `,"elementId":`...)
		b = appendString(b, j.ElementID)
		b = append(b, `,"elementInstanceKey":`...)
		b = appendKey(b, j.ElementInstanceKey)
		b = append(b, `,"customHeaders":{`...)
		for k, name := range slices.Sorted(mapKeys(j.CustomHeaders)) {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, ':')
			b = appendString(b, j.CustomHeaders[name])
		}
		b = append(b, `},"worker":`...)
		b = appendString(b, j.Worker)
		b = append(b, `,"retries":`...)
		b = strconv.AppendInt(b, int64(j.Retries), 10)
		b = append(b, `,"deadline":`...)
		b = strconv.AppendInt(b, j.Deadline, 10)
		b = append(b, `,"variables":`...)
		var err error
		if b, err = appendValue(b, j.Variables); err != nil {
			return nil, fmt.Errorf("encode the variables of job %d: %w", j.JobKey, err)
		}
		b = append(b, `,"tenantId":`...)
		b = appendString(b, j.TenantID)
		b = append(b, `,"kind":`...)
		b = appendString(b, j.Kind)
		b = append(b, `,"listenerEventType":`...)
		b = appendString(b, j.ListenerEventType)
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

func mapKeys[V any](m map[string]V) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// appendKey appends a key as Key.MarshalJSON writes it: a quoted decimal.
func appendKey(b []byte, k Key) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(k), 10)
	return append(b, '"')
}

// appendValue appends v as encoding/json encodes it without HTML
// escaping (as c.PureJSON does).
func appendValue(b []byte, v any) ([]byte, error) {
	w := bytes.NewBuffer(b)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := w.Bytes()
	return out[:len(out)-1], nil // Encode ends with a newline
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string exactly as encoding/json writes
// it without HTML escaping: quotes, backslashes and control characters
// escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
