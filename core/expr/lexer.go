package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tNum
	tStr
	tName
	tLParen
	tRParen
	tLBrack
	tRBrack
	tLBrace
	tRBrace
	tComma
	tColon
	tDot
	tDotDot
	tPlus
	tMinus
	tStar
	tStarStar
	tSlash
	tEq
	tNeq
	tLt
	tLe
	tGt
	tGe
	tAt
)

var tokText = [...]string{
	tEOF: "end of expression", tNum: "number", tStr: "string", tName: "name",
	tLParen: "(", tRParen: ")", tLBrack: "[", tRBrack: "]", tLBrace: "{", tRBrace: "}",
	tComma: ",", tColon: ":", tDot: ".", tDotDot: "..", tPlus: "+", tMinus: "-",
	tStar: "*", tStarStar: "**", tSlash: "/", tEq: "=", tNeq: "!=", tLt: "<",
	tLe: "<=", tGt: ">", tGe: ">=", tAt: "@",
}

type token struct {
	kind tokKind
	pos  int    // byte offset in the source
	text string // name, decoded string or number text
	// quoted marks a `backtick` name: never a keyword, never part of a multi-word name.
	quoted bool
}

// describeTok renders a token for an error message.
func describeTok(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tNum:
		return t.text
	case tStr:
		return strconv.Quote(t.text)
	case tName:
		if t.quoted {
			return "`" + t.text + "`"
		}
		return strconv.Quote(t.text)
	}
	return strconv.Quote(tokText[t.kind])
}

// maxSourceLen bounds the size of an expression.
const maxSourceLen = 1 << 20

type lexer struct {
	src  string
	pos  int
	toks []token
}

func isNameStart(r rune) bool {
	return r == '_' || r == '?' || r == '$' || unicode.IsLetter(r)
}

func isNamePart(r rune) bool {
	return isNameStart(r) || unicode.IsDigit(r)
}

func lex(src string) ([]token, error) {
	if len(src) > maxSourceLen {
		return nil, newSyntaxError(src, 0, fmt.Sprintf("expression is longer than %d bytes", maxSourceLen))
	}
	if !utf8.ValidString(src) {
		i := 0
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return nil, newSyntaxError(src, i, "invalid UTF-8 text")
	}
	l := &lexer{src: src}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		l.toks = append(l.toks, t)
		if t.kind == tEOF {
			return l.toks, nil
		}
	}
}

func (l *lexer) errAt(pos int, format string, args ...any) error {
	return newSyntaxError(l.src, pos, fmt.Sprintf(format, args...))
}

// valueEnded reports whether the previous token ends an operand, which makes
// a following '.' a path separator rather than the start of a number.
func (l *lexer) valueEnded() bool {
	if len(l.toks) == 0 {
		return false
	}
	switch l.toks[len(l.toks)-1].kind {
	case tNum, tStr, tName, tRParen, tRBrack, tRBrace:
		return true
	}
	return false
}

func (l *lexer) skipSpaceAndComments() error {
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		switch {
		case unicode.IsSpace(r):
			l.pos += n
		case strings.HasPrefix(l.src[l.pos:], "//"):
			end := strings.IndexByte(l.src[l.pos:], '\n')
			if end < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += end + 1
			}
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				return l.errAt(l.pos, "unterminated comment")
			}
			l.pos += end + 4
		default:
			return nil
		}
	}
	return nil
}

func (l *lexer) next() (token, error) {
	if err := l.skipSpaceAndComments(); err != nil {
		return token{}, err
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	one := func(k tokKind) (token, error) {
		l.pos++
		return token{kind: k, pos: start}, nil
	}
	two := func(k tokKind) (token, error) {
		l.pos += 2
		return token{kind: k, pos: start}, nil
	}
	peek := byte(0)
	if l.pos+1 < len(l.src) {
		peek = l.src[l.pos+1]
	}
	switch c {
	case '(':
		return one(tLParen)
	case ')':
		return one(tRParen)
	case '[':
		return one(tLBrack)
	case ']':
		return one(tRBrack)
	case '{':
		return one(tLBrace)
	case '}':
		return one(tRBrace)
	case ',':
		return one(tComma)
	case ':':
		return one(tColon)
	case '+':
		return one(tPlus)
	case '-':
		return one(tMinus)
	case '/':
		return one(tSlash)
	case '@':
		return one(tAt)
	case '=':
		return one(tEq)
	case '*':
		if peek == '*' {
			return two(tStarStar)
		}
		return one(tStar)
	case '!':
		if peek == '=' {
			return two(tNeq)
		}
		return token{}, l.errAt(start, "unexpected character \"!\"")
	case '<':
		if peek == '=' {
			return two(tLe)
		}
		return one(tLt)
	case '>':
		if peek == '=' {
			return two(tGe)
		}
		return one(tGt)
	case '.':
		if peek == '.' {
			return two(tDotDot)
		}
		if peek >= '0' && peek <= '9' && !l.valueEnded() {
			return l.number()
		}
		return one(tDot)
	case '"':
		return l.str()
	case '`':
		end := strings.IndexByte(l.src[l.pos+1:], '`')
		if end < 0 {
			return token{}, l.errAt(start, "unterminated `name`")
		}
		name := l.src[l.pos+1 : l.pos+1+end]
		l.pos += end + 2
		return token{kind: tName, pos: start, text: name, quoted: true}, nil
	}
	if c >= '0' && c <= '9' {
		return l.number()
	}
	r, n := utf8.DecodeRuneInString(l.src[l.pos:])
	if isNameStart(r) {
		l.pos += n
		for l.pos < len(l.src) {
			r, n := utf8.DecodeRuneInString(l.src[l.pos:])
			if !isNamePart(r) {
				break
			}
			l.pos += n
		}
		return token{kind: tName, pos: start, text: l.src[start:l.pos]}, nil
	}
	return token{}, l.errAt(start, "unexpected character %q", r)
}

func (l *lexer) digits() {
	for l.pos < len(l.src) && l.src[l.pos] >= '0' && l.src[l.pos] <= '9' {
		l.pos++
	}
}

func (l *lexer) number() (token, error) {
	start := l.pos
	l.digits()
	if l.pos+1 < len(l.src) && l.src[l.pos] == '.' && l.src[l.pos+1] >= '0' && l.src[l.pos+1] <= '9' {
		l.pos++
		l.digits()
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		p := l.pos + 1
		if p < len(l.src) && (l.src[p] == '+' || l.src[p] == '-') {
			p++
		}
		if p < len(l.src) && l.src[p] >= '0' && l.src[p] <= '9' {
			l.pos = p
			l.digits()
		}
	}
	return token{kind: tNum, pos: start, text: l.src[start:l.pos]}, nil
}

func (l *lexer) str() (token, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return token{}, l.errAt(start, "unterminated string")
		}
		c := l.src[l.pos]
		switch c {
		case '"':
			l.pos++
			return token{kind: tStr, pos: start, text: b.String()}, nil
		case '\\':
			if l.pos+1 >= len(l.src) {
				return token{}, l.errAt(start, "unterminated string")
			}
			e := l.src[l.pos+1]
			switch e {
			case '"', '\\', '\'', '/':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				r, n, ok := l.unicodeEscape(l.pos)
				if !ok {
					return token{}, l.errAt(l.pos, "invalid unicode escape")
				}
				b.WriteRune(r)
				l.pos += n
				continue
			default:
				// Other escapes such as \d stay as written, for regular expressions.
				b.WriteByte('\\')
				l.pos++
				continue
			}
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// unicodeEscape decodes \uXXXX at pos (and a following low surrogate escape).
func (l *lexer) unicodeEscape(pos int) (rune, int, bool) {
	hex := func(p int) (rune, bool) {
		if p+6 > len(l.src) || l.src[p] != '\\' || l.src[p+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(l.src[p+2:p+6], 16, 32)
		if err != nil {
			return 0, false
		}
		return rune(v), true
	}
	r, ok := hex(pos)
	if !ok {
		return 0, 0, false
	}
	if r >= 0xD800 && r < 0xDC00 {
		if lo, ok := hex(pos + 6); ok && lo >= 0xDC00 && lo < 0xE000 {
			return (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000, 12, true
		}
		return utf8.RuneError, 6, true
	}
	return r, 6, true
}
