package model

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// cp1252 maps the bytes 0x80-0x9F of windows-1252 to runes; the rest of the
// code page is ISO-8859-1. Unassigned bytes map to the C1 control of the same
// value.
var cp1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

// charsetReader decodes the single-byte encodings that BPMN tools write
// besides UTF-8 (ISO-8859-1, US-ASCII, windows-1252).
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
		"us-ascii", "ascii":
		return &singleByteReader{r: bufio.NewReader(input)}, nil
	case "windows-1252", "cp1252":
		return &singleByteReader{r: bufio.NewReader(input), high: &cp1252}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

// singleByteReader converts a single-byte encoding to UTF-8.
type singleByteReader struct {
	r       io.ByteReader
	high    *[32]rune // runes for 0x80-0x9F; nil for ISO-8859-1
	pending []byte    // encoded bytes of a rune that did not fit
	buf     [utf8.UTFMax]byte
}

func (s *singleByteReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.pending) > 0 {
			c := copy(p[n:], s.pending)
			s.pending = s.pending[c:]
			n += c
			continue
		}
		b, err := s.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < 0x80 {
			p[n] = b
			n++
			continue
		}
		r := rune(b)
		if s.high != nil && b < 0xA0 {
			r = s.high[b-0x80]
		}
		s.pending = utf8.AppendRune(s.buf[:0], r)
	}
	return n, nil
}
