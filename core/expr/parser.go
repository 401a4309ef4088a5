package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of an expression; it keeps the parser, the
// code generator and the evaluator far away from stack exhaustion.
const maxDepth = 200

// maxNodes bounds the size of an expression's syntax tree.
const maxNodes = 100000

type nodeKind uint8

const (
	nNum       nodeKind = iota // num
	nStr                       // str
	nBool                      // val
	nNull                      //
	nConst                     // val: a temporal literal
	nName                      // str
	nPath                      // kids[0].str
	nFilter                    // kids[0][kids[1]]
	nCall                      // str(kids...), names: argument names or nil
	nBinary                    // kids[0] str kids[1]
	nNeg                       // -kids[0]
	nBetween                   // kids[0] between kids[1] and kids[2]
	nIn                        // kids[0] in (kids[1:]...)
	nRange                     // kids[0]..kids[1] (either may be nil when used as a unary test bound)
	nUnaryTest                 // str kids[0], e.g. "< 5"
	nInstance                  // kids[0] instance of str
	nList                      // [kids...]
	nContext                   // {names[i]: kids[i]}
	nIf                        // if kids[0] then kids[1] else kids[2]
	nFor                       // for names[i] in kids[i] return kids[last]
	nSome                      // some names[i] in kids[i] satisfies kids[last]
	nEvery                     // every names[i] in kids[i] satisfies kids[last]
	nFunc                      // function(names...) kids[0]
)

type node struct {
	kind       nodeKind
	pos        int
	depth      int
	num        float64
	str        string
	val        any
	kids       []*node
	names      []string
	lowClosed  bool
	highClosed bool
	seq        bool // an iteration range written a..b
}

type parser struct {
	src       string
	toks      []token
	i         int
	depth     int
	nodes     int
	noBracket bool // a '[' ends the expression (the end bound of a range such as ]1..10[)
}

func parse(src string) (*node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	n, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errTok(t, "expected end of expression but found %s", describeTok(t))
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(k int) token {
	if p.i+k >= len(p.toks) {
		return p.toks[len(p.toks)-1]
	}
	return p.toks[p.i+k]
}

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errTok(t token, format string, args ...any) error {
	return newSyntaxError(p.src, t.pos, fmt.Sprintf(format, args...))
}

func (p *parser) expect(k tokKind) (token, error) {
	t := p.peek()
	if t.kind != k {
		return t, p.errTok(t, "expected %q but found %s", tokText[k], describeTok(t))
	}
	return p.advance(), nil
}

func isWord(t token, w string) bool {
	return t.kind == tName && !t.quoted && t.text == w
}

func (p *parser) expectWord(w string) error {
	t := p.peek()
	if !isWord(t, w) {
		return p.errTok(t, "expected %q but found %s", w, describeTok(t))
	}
	p.advance()
	return nil
}

// reserved words cannot start an operand.
var reserved = map[string]bool{
	"then": true, "else": true, "return": true, "satisfies": true, "and": true,
	"or": true, "in": true, "between": true, "instance": true,
}

func (p *parser) mk(kind nodeKind, pos int, kids ...*node) (*node, error) {
	n := &node{kind: kind, pos: pos, kids: kids}
	for _, k := range kids {
		if k != nil && k.depth >= n.depth {
			n.depth = k.depth + 1
		}
	}
	if n.depth > maxDepth {
		return nil, newSyntaxError(p.src, pos, fmt.Sprintf("expression is nested too deeply (more than %d levels)", maxDepth))
	}
	p.nodes++
	if p.nodes > maxNodes {
		return nil, newSyntaxError(p.src, pos, fmt.Sprintf("expression is too large (more than %d elements)", maxNodes))
	}
	return n, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return newSyntaxError(p.src, p.peek().pos, fmt.Sprintf("expression is nested too deeply (more than %d levels)", maxDepth))
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseExpr parses a full expression. A '[' always nests normally inside it.
func (p *parser) parseExpr() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	saved := p.noBracket
	p.noBracket = false
	defer func() { p.noBracket = saved }()
	return p.parseOr()
}

// parseBound parses the end bound of a range, where '[' may close the range.
func (p *parser) parseBound() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if t := p.peek(); t.kind == tRBrack || t.kind == tRParen {
		return nil, p.errTok(t, "expected an expression but found %s", describeTok(t))
	}
	saved := p.noBracket
	p.noBracket = true
	defer func() { p.noBracket = saved }()
	return p.parseAdd()
}

func (p *parser) parseOr() (*node, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for isWord(p.peek(), "or") {
		t := p.advance()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if l, err = p.binary(t.pos, "or", l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (p *parser) parseAnd() (*node, error) {
	l, err := p.parseCmp()
	if err != nil {
		return nil, err
	}
	for isWord(p.peek(), "and") {
		t := p.advance()
		r, err := p.parseCmp()
		if err != nil {
			return nil, err
		}
		if l, err = p.binary(t.pos, "and", l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (p *parser) binary(pos int, op string, l, r *node) (*node, error) {
	n, err := p.mk(nBinary, pos, l, r)
	if err != nil {
		return nil, err
	}
	n.str = op
	return n, nil
}

func cmpOp(k tokKind) string {
	switch k {
	case tEq:
		return "="
	case tNeq:
		return "!="
	case tLt:
		return "<"
	case tLe:
		return "<="
	case tGt:
		return ">"
	case tGe:
		return ">="
	}
	return ""
}

func (p *parser) parseCmp() (*node, error) {
	l, err := p.parseAdd()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case cmpOp(t.kind) != "":
			p.advance()
			r, err := p.parseAdd()
			if err != nil {
				return nil, err
			}
			if l, err = p.binary(t.pos, cmpOp(t.kind), l, r); err != nil {
				return nil, err
			}
		case isWord(t, "between"):
			p.advance()
			lo, err := p.parseAdd()
			if err != nil {
				return nil, err
			}
			if err := p.expectWord("and"); err != nil {
				return nil, err
			}
			hi, err := p.parseAdd()
			if err != nil {
				return nil, err
			}
			if l, err = p.mk(nBetween, t.pos, l, lo, hi); err != nil {
				return nil, err
			}
		case isWord(t, "in"):
			p.advance()
			tests, err := p.parseInTests()
			if err != nil {
				return nil, err
			}
			if l, err = p.mk(nIn, t.pos, append([]*node{l}, tests...)...); err != nil {
				return nil, err
			}
		case isWord(t, "instance"):
			p.advance()
			if err := p.expectWord("of"); err != nil {
				return nil, err
			}
			typ, err := p.parseTypeName()
			if err != nil {
				return nil, err
			}
			if l, err = p.mk(nInstance, t.pos, l); err != nil {
				return nil, err
			}
			l.str = typ
		default:
			return l, nil
		}
	}
}

var typeNames = []string{
	"days and time duration", "years and months duration", "date and time",
	"string", "number", "boolean", "list", "context", "date", "time", "function",
	"Any", "Null", "range",
}

func (p *parser) parseTypeName() (string, error) {
	for _, name := range typeNames {
		words := strings.Split(name, " ")
		ok := true
		for k, w := range words {
			if !isWord(p.peekAt(k), w) {
				ok = false
				break
			}
		}
		if ok {
			p.i += len(words)
			// Generic parameters such as list<number> are accepted and ignored.
			if p.peek().kind == tLt {
				depth := 0
				for {
					t := p.advance()
					switch t.kind {
					case tLt:
						depth++
					case tGt:
						depth--
					case tEOF:
						return "", p.errTok(t, "expected \">\" but found end of expression")
					}
					if depth == 0 {
						return name, nil
					}
				}
			}
			return name, nil
		}
	}
	t := p.peek()
	return "", p.errTok(t, "expected a type name but found %s", describeTok(t))
}

// parseInTests parses the right-hand side of `x in ...`: a value, list or
// range, a unary test such as `< 5`, or a parenthesised list of them.
func (p *parser) parseInTests() ([]*node, error) {
	if p.peek().kind != tLParen {
		t, err := p.parseTest()
		if err != nil {
			return nil, err
		}
		return []*node{t}, nil
	}
	open := p.advance()
	first, err := p.parseTest()
	if err != nil {
		return nil, err
	}
	switch p.peek().kind {
	case tDotDot:
		if first.kind == nUnaryTest {
			return nil, p.errTok(p.peek(), "expected \")\" but found \"..\"")
		}
		r, err := p.finishRange(open, first, false)
		if err != nil {
			return nil, err
		}
		return []*node{r}, nil
	case tComma:
		tests := []*node{first}
		for p.peek().kind == tComma {
			p.advance()
			t, err := p.parseTest()
			if err != nil {
				return nil, err
			}
			tests = append(tests, t)
		}
		if _, err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return tests, nil
	}
	if _, err := p.expect(tRParen); err != nil {
		return nil, err
	}
	return []*node{first}, nil
}

func (p *parser) parseTest() (*node, error) {
	t := p.peek()
	if op := cmpOp(t.kind); op != "" {
		p.advance()
		v, err := p.parseAdd()
		if err != nil {
			return nil, err
		}
		n, err := p.mk(nUnaryTest, t.pos, v)
		if err != nil {
			return nil, err
		}
		n.str = op
		return n, nil
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.parseAdd()
}

func (p *parser) parseAdd() (*node, error) {
	l, err := p.parseMul()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tPlus && t.kind != tMinus {
			return l, nil
		}
		p.advance()
		r, err := p.parseMul()
		if err != nil {
			return nil, err
		}
		if l, err = p.binary(t.pos, tokText[t.kind], l, r); err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseMul() (*node, error) {
	l, err := p.parsePow()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tStar && t.kind != tSlash {
			return l, nil
		}
		p.advance()
		r, err := p.parsePow()
		if err != nil {
			return nil, err
		}
		if l, err = p.binary(t.pos, tokText[t.kind], l, r); err != nil {
			return nil, err
		}
	}
}

func (p *parser) parsePow() (*node, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tStarStar {
		t := p.advance()
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if l, err = p.binary(t.pos, "**", l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (p *parser) parseUnary() (*node, error) {
	t := p.peek()
	if t.kind != tMinus {
		return p.parsePostfix()
	}
	p.advance()
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if x.kind == nNum {
		x.num = -x.num
		x.pos = t.pos
		return x, nil
	}
	return p.mk(nNeg, t.pos, x)
}

func (p *parser) parsePostfix() (*node, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tDot:
			p.advance()
			name := p.peek()
			if name.kind != tName {
				return nil, p.errTok(name, "expected a name after \".\" but found %s", describeTok(name))
			}
			p.advance()
			if x, err = p.mk(nPath, t.pos, x); err != nil {
				return nil, err
			}
			x.str = name.text
		case t.kind == tLBrack && !p.noBracket:
			p.advance()
			cond, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tRBrack); err != nil {
				return nil, err
			}
			if x, err = p.mk(nFilter, t.pos, x, cond); err != nil {
				return nil, err
			}
		case t.kind == tLParen:
			return nil, p.errTok(t, "only built-in functions can be called")
		default:
			return x, nil
		}
	}
}

func (p *parser) parsePrimary() (*node, error) {
	t := p.peek()
	switch t.kind {
	case tNum:
		p.advance()
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errTok(t, "number %s is out of range", t.text)
		}
		n, err := p.mk(nNum, t.pos)
		if err != nil {
			return nil, err
		}
		n.num = f
		return n, nil
	case tStr:
		p.advance()
		n, err := p.mk(nStr, t.pos)
		if err != nil {
			return nil, err
		}
		n.str = t.text
		return n, nil
	case tAt:
		p.advance()
		s := p.peek()
		if s.kind != tStr {
			return nil, p.errTok(s, "expected a string after \"@\" but found %s", describeTok(s))
		}
		p.advance()
		v, ok := parseTemporal(s.text)
		if !ok {
			return nil, p.errTok(s, "invalid temporal literal %q", s.text)
		}
		n, err := p.mk(nConst, t.pos)
		if err != nil {
			return nil, err
		}
		n.val = v
		return n, nil
	case tLParen:
		p.advance()
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind == tDotDot {
			return p.finishRange(t, e, false)
		}
		if _, err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return e, nil
	case tLBrack:
		return p.parseListOrRange()
	case tRBrack:
		p.advance()
		lo, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tDotDot {
			return nil, p.errTok(p.peek(), "expected \"..\" but found %s", describeTok(p.peek()))
		}
		return p.finishRange(t, lo, false)
	case tLBrace:
		return p.parseContext()
	case tName:
		return p.parseNameOrCall()
	}
	if t.kind == tEOF {
		return nil, p.errTok(t, "expected an expression but found end of expression")
	}
	return nil, p.errTok(t, "expected an expression but found %s", describeTok(t))
}

// finishRange parses "..hi" and the closing bracket of a range whose low bound is lo.
func (p *parser) finishRange(open token, lo *node, lowClosed bool) (*node, error) {
	p.advance() // ..
	hi, err := p.parseBound()
	if err != nil {
		return nil, err
	}
	c := p.advance()
	var highClosed bool
	switch c.kind {
	case tRBrack:
		highClosed = true
	case tRParen, tLBrack:
	default:
		return nil, p.errTok(c, "expected \"]\" or \")\" but found %s", describeTok(c))
	}
	n, err := p.mk(nRange, open.pos, lo, hi)
	if err != nil {
		return nil, err
	}
	n.lowClosed, n.highClosed = lowClosed, highClosed
	return n, nil
}

func (p *parser) parseListOrRange() (*node, error) {
	open := p.advance()
	var elems []*node
	if p.peek().kind == tRBrack {
		p.advance()
		return p.mk(nList, open.pos)
	}
	first, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tDotDot {
		return p.finishRange(open, first, true)
	}
	elems = append(elems, first)
	for p.peek().kind == tComma {
		p.advance()
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
	}
	if _, err := p.expect(tRBrack); err != nil {
		return nil, err
	}
	return p.mk(nList, open.pos, elems...)
}

func (p *parser) parseContext() (*node, error) {
	open := p.advance()
	var keys []string
	var vals []*node
	seen := map[string]bool{}
	for p.peek().kind != tRBrace {
		if len(keys) > 0 {
			if _, err := p.expect(tComma); err != nil {
				return nil, err
			}
		}
		kt := p.peek()
		var key string
		switch kt.kind {
		case tStr:
			p.advance()
			key = kt.text
		case tName:
			var words []string
			for p.peek().kind == tName {
				words = append(words, p.advance().text)
			}
			key = strings.Join(words, " ")
		default:
			return nil, p.errTok(kt, "expected a context key but found %s", describeTok(kt))
		}
		if seen[key] {
			return nil, p.errTok(kt, "duplicate context key %q", key)
		}
		seen[key] = true
		if _, err := p.expect(tColon); err != nil {
			return nil, err
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
		vals = append(vals, v)
	}
	p.advance()
	n, err := p.mk(nContext, open.pos, vals...)
	if err != nil {
		return nil, err
	}
	n.names = keys
	return n, nil
}

// matchFunction finds the longest (possibly multi-word) built-in function
// name starting at the current token and followed by '('.
func (p *parser) matchFunction() (string, int) {
	for n := maxFuncWords; n >= 1; n-- {
		words := make([]string, 0, n)
		ok := true
		for k := 0; k < n; k++ {
			t := p.peekAt(k)
			if t.kind != tName || t.quoted {
				ok = false
				break
			}
			words = append(words, t.text)
		}
		if !ok || p.peekAt(n).kind != tLParen {
			continue
		}
		name := strings.Join(words, " ")
		if _, found := builtins[name]; found {
			return name, n
		}
	}
	return "", 0
}

func (p *parser) parseNameOrCall() (*node, error) {
	t := p.peek()
	if t.quoted {
		p.advance()
		n, err := p.mk(nName, t.pos)
		if err != nil {
			return nil, err
		}
		n.str = t.text
		return n, nil
	}
	switch t.text {
	case "true", "false":
		p.advance()
		n, err := p.mk(nBool, t.pos)
		if err != nil {
			return nil, err
		}
		n.val = t.text == "true"
		return n, nil
	case "null":
		p.advance()
		return p.mk(nNull, t.pos)
	case "if":
		return p.parseIf()
	case "for", "some", "every":
		if k := p.peekAt(1).kind; k == tName || k == tNum || k == tStr {
			return p.parseIteration()
		}
	case "function":
		if p.peekAt(1).kind == tLParen {
			return p.parseFunctionLiteral()
		}
	}
	if reserved[t.text] {
		return nil, p.errTok(t, "expected an expression but found %s", describeTok(t))
	}
	if name, words := p.matchFunction(); words > 0 {
		p.i += words
		return p.parseCall(t, name)
	}
	if name := p.unknownCall(); name != "" {
		return nil, p.errTok(t, "unknown function %q", name)
	}
	p.advance()
	n, err := p.mk(nName, t.pos)
	if err != nil {
		return nil, err
	}
	n.str = t.text
	return n, nil
}

// unknownCall returns the name of a call of an unknown function starting at
// the current token: names (none of them a keyword) followed by '('.
func (p *parser) unknownCall() string {
	var words []string
	for k := 0; ; k++ {
		t := p.peekAt(k)
		if t.kind == tLParen && k > 0 {
			return strings.Join(words, " ")
		}
		if t.kind != tName || t.quoted || reserved[t.text] {
			return ""
		}
		words = append(words, t.text)
	}
}

func (p *parser) parseCall(start token, name string) (*node, error) {
	p.advance() // (
	var args []*node
	var names []string
	for p.peek().kind != tRParen {
		if len(args) > 0 {
			if _, err := p.expect(tComma); err != nil {
				return nil, err
			}
		}
		// A named argument is one or more names followed by ':'.
		k := 0
		for p.peekAt(k).kind == tName {
			k++
		}
		argName, argTok := "", p.peek()
		if k > 0 && p.peekAt(k).kind == tColon {
			words := make([]string, k)
			for j := range words {
				words[j] = p.advance().text
			}
			p.advance()
			argName = strings.Join(words, " ")
		}
		if len(args) > 0 && (argName != "") != (names != nil) {
			return nil, p.errTok(argTok, "positional and named arguments cannot be mixed")
		}
		a, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if argName != "" {
			names = append(names, argName)
		}
	}
	p.advance()
	n, err := p.mk(nCall, start.pos, args...)
	if err != nil {
		return nil, err
	}
	n.str = name
	n.names = names
	return n, nil
}

func (p *parser) parseIf() (*node, error) {
	t := p.advance()
	c, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expectWord("then"); err != nil {
		return nil, err
	}
	a, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expectWord("else"); err != nil {
		return nil, err
	}
	b, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	return p.mk(nIf, t.pos, c, a, b)
}

func (p *parser) parseIteration() (*node, error) {
	t := p.advance()
	kind, keyword := nFor, "return"
	switch t.text {
	case "some":
		kind, keyword = nSome, "satisfies"
	case "every":
		kind, keyword = nEvery, "satisfies"
	}
	var names []string
	var kids []*node
	for {
		nt := p.peek()
		if nt.kind != tName {
			return nil, p.errTok(nt, "expected a variable name but found %s", describeTok(nt))
		}
		p.advance()
		if err := p.expectWord("in"); err != nil {
			return nil, err
		}
		src, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind == tDotDot {
			dd := p.advance()
			hi, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if src, err = p.mk(nRange, dd.pos, src, hi); err != nil {
				return nil, err
			}
			src.lowClosed, src.highClosed, src.seq = true, true, true
		}
		names = append(names, nt.text)
		kids = append(kids, src)
		if p.peek().kind != tComma {
			break
		}
		p.advance()
	}
	if err := p.expectWord(keyword); err != nil {
		return nil, err
	}
	body, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	n, err := p.mk(kind, t.pos, append(kids, body)...)
	if err != nil {
		return nil, err
	}
	n.names = names
	return n, nil
}

func (p *parser) parseFunctionLiteral() (*node, error) {
	t := p.advance()
	p.advance() // (
	var params []string
	for p.peek().kind != tRParen {
		if len(params) > 0 {
			if _, err := p.expect(tComma); err != nil {
				return nil, err
			}
		}
		nt := p.peek()
		if nt.kind != tName {
			return nil, p.errTok(nt, "expected a parameter name but found %s", describeTok(nt))
		}
		p.advance()
		params = append(params, nt.text)
	}
	p.advance()
	body, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	n, err := p.mk(nFunc, t.pos, body)
	if err != nil {
		return nil, err
	}
	n.names = params
	return n, nil
}
