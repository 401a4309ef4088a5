package expr

import (
	"fmt"
	"strconv"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// The code generator turns a FEEL syntax tree into a CEL syntax tree in which
// every FEEL operator and built-in is a call of a CEL function implemented in
// Go, FEEL's bound variables (for, some, every, filters, context entries) are
// CEL comprehension variables, and free variables are CEL identifiers that
// the activation resolves through Env.Lookup.

type scopeKind uint8

const (
	scopeVar  scopeKind = iota // a FEEL name bound to a CEL identifier
	scopeItem                  // a filter's current element: `item` and, for contexts, its keys
)

type scope struct {
	parent *scope
	kind   scopeKind
	name   string // FEEL name (scopeVar)
	ident  string // CEL identifier
}

type compiler struct {
	src    string
	fac    ast.ExprFactory
	nextID int64
	tmp    int
	idents map[string]identRef
	free   map[string]string // FEEL name -> CEL identifier of its value
	defs   map[string]string // FEEL name -> CEL identifier of its existence
}

func newCompiler(src string) *compiler {
	return &compiler{
		src:    src,
		fac:    ast.NewExprFactory(),
		idents: map[string]identRef{},
		free:   map[string]string{},
		defs:   map[string]string{},
	}
}

func (c *compiler) id() int64 {
	c.nextID++
	return c.nextID
}

func (c *compiler) errAt(n *node, format string, args ...any) error {
	return newSyntaxError(c.src, n.pos, fmt.Sprintf(format, args...))
}

func (c *compiler) fresh(prefix string) string {
	c.tmp++
	return prefix + strconv.Itoa(c.tmp)
}

func (c *compiler) lit(v ref.Val) ast.Expr { return c.fac.NewLiteral(c.id(), v) }

func (c *compiler) strLit(s string) ast.Expr { return c.lit(&box{v: s}) }

func (c *compiler) ident(name string) ast.Expr { return c.fac.NewIdent(c.id(), name) }

func (c *compiler) call(fn string, args ...ast.Expr) ast.Expr {
	return c.fac.NewCall(c.id(), fn, args...)
}

// fold builds a CEL comprehension.
func (c *compiler) fold(rng ast.Expr, iterVar, accuVar string, init, cond, step, result ast.Expr) ast.Expr {
	return c.fac.NewComprehension(c.id(), rng, iterVar, accuVar, init, cond, step, result)
}

// bind evaluates init once, names it ident and evaluates body (cel.bind).
func (c *compiler) bind(ident string, init, body ast.Expr) ast.Expr {
	return c.fold(c.lit(emptySeq), c.fresh("_"), ident, init, c.lit(types.False), c.ident(ident), body)
}

func (c *compiler) freeVar(name string) ast.Expr {
	id, ok := c.free[name]
	if !ok {
		id = "v" + strconv.Itoa(len(c.free))
		c.free[name] = id
		c.idents[id] = identRef{kind: identValue, name: name}
	}
	return c.ident(id)
}

func (c *compiler) definedVar(name string) ast.Expr {
	id, ok := c.defs[name]
	if !ok {
		id = "d" + strconv.Itoa(len(c.defs))
		c.defs[name] = id
		c.idents[id] = identRef{kind: identDefined, name: name}
	}
	return c.ident(id)
}

func (c *compiler) state() ast.Expr {
	c.idents[stateIdent] = identRef{kind: identState}
	return c.ident(stateIdent)
}

func (c *compiler) resolve(name string, sc *scope) ast.Expr {
	for s := sc; s != nil; s = s.parent {
		switch s.kind {
		case scopeVar:
			if s.name == name {
				return c.ident(s.ident)
			}
		case scopeItem:
			if name == "item" {
				return c.ident(s.ident)
			}
			return c.call("feel_ctxget", c.ident(s.ident), c.strLit(name), c.resolve(name, s.parent))
		}
	}
	return c.freeVar(name)
}

func (c *compiler) resolveDefined(name string, sc *scope) ast.Expr {
	for s := sc; s != nil; s = s.parent {
		switch s.kind {
		case scopeVar:
			if s.name == name {
				return c.lit(types.True)
			}
		case scopeItem:
			if name == "item" {
				return c.lit(types.True)
			}
			return c.call("feel_ctxhas", c.ident(s.ident), c.strLit(name), c.resolveDefined(name, s.parent))
		}
	}
	return c.definedVar(name)
}

var binaryFuncs = map[string]string{
	"+": "feel_add", "-": "feel_sub", "*": "feel_mul", "/": "feel_div", "**": "feel_pow",
	"=": "feel_eq", "!=": "feel_ne", "<": "feel_lt", "<=": "feel_le", ">": "feel_gt", ">=": "feel_ge",
	"and": "feel_and", "or": "feel_or",
}

func (c *compiler) gen(n *node, sc *scope) (ast.Expr, error) {
	switch n.kind {
	case nNum:
		return c.lit(&box{v: n.num}), nil
	case nStr:
		return c.strLit(n.str), nil
	case nBool:
		return c.lit(types.Bool(n.val.(bool))), nil
	case nNull:
		return c.lit(types.NullValue), nil
	case nConst:
		return c.lit(&box{v: n.val}), nil
	case nName:
		return c.resolve(n.str, sc), nil
	case nPath:
		x, err := c.gen(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		return c.call("feel_get", x, c.strLit(n.str)), nil
	case nFilter:
		return c.genFilter(n, sc)
	case nCall:
		return c.genCall(n, sc)
	case nBinary:
		args, err := c.genAll(n.kids, sc)
		if err != nil {
			return nil, err
		}
		return c.call(binaryFuncs[n.str], args...), nil
	case nNeg:
		x, err := c.gen(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		return c.call("feel_neg", x), nil
	case nBetween:
		args, err := c.genAll(n.kids, sc)
		if err != nil {
			return nil, err
		}
		return c.call("feel_between", args...), nil
	case nIn:
		return c.genIn(n, sc)
	case nRange:
		return c.genRange(n, sc)
	case nUnaryTest:
		return nil, c.errAt(n, "a unary test such as %q can only follow \"in\"", n.str)
	case nInstance:
		x, err := c.gen(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		return c.call("feel_instance", x, c.strLit(n.str)), nil
	case nList:
		args, err := c.genAll(n.kids, sc)
		if err != nil {
			return nil, err
		}
		return c.call("feel_list", args...), nil
	case nContext:
		return c.genContext(n, sc)
	case nIf:
		args, err := c.genAll(n.kids, sc)
		if err != nil {
			return nil, err
		}
		return c.call(operators.Conditional, c.call("feel_truthy", args[0]), args[1], args[2]), nil
	case nFor:
		return c.genFor(n, sc, 0)
	case nSome, nEvery:
		return c.genQuantifier(n, sc, 0)
	case nFunc:
		return nil, c.errAt(n, "a function literal can only be the precedes argument of sort")
	}
	return nil, c.errAt(n, "unsupported expression")
}

func (c *compiler) genAll(ns []*node, sc *scope) ([]ast.Expr, error) {
	out := make([]ast.Expr, len(ns))
	for i, k := range ns {
		e, err := c.gen(k, sc)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (c *compiler) genRange(n *node, sc *scope) (ast.Expr, error) {
	bound := func(k *node) (ast.Expr, error) {
		if k == nil {
			return c.lit(types.NullValue), nil
		}
		return c.gen(k, sc)
	}
	lo, err := bound(n.kids[0])
	if err != nil {
		return nil, err
	}
	hi, err := bound(n.kids[1])
	if err != nil {
		return nil, err
	}
	if n.seq {
		return c.call("feel_seq", lo, hi), nil
	}
	flags := []byte("()")
	if n.lowClosed {
		flags[0] = '['
	}
	if n.highClosed {
		flags[1] = ']'
	}
	return c.call("feel_range", lo, hi, c.strLit(string(flags))), nil
}

// genIn tests kids[0] against each test in kids[1:]; any match makes it true.
func (c *compiler) genIn(n *node, sc *scope) (ast.Expr, error) {
	x, err := c.gen(n.kids[0], sc)
	if err != nil {
		return nil, err
	}
	tests := n.kids[1:]
	var xv string
	if len(tests) > 1 {
		xv = c.fresh("t")
	}
	value := func() ast.Expr {
		if xv == "" {
			return x
		}
		return c.ident(xv)
	}
	var out ast.Expr
	for _, t := range tests {
		var e ast.Expr
		if t.kind == nUnaryTest {
			v, err := c.gen(t.kids[0], sc)
			if err != nil {
				return nil, err
			}
			e = c.call(binaryFuncs[t.str], value(), v)
		} else {
			v, err := c.gen(t, sc)
			if err != nil {
				return nil, err
			}
			e = c.call("feel_in", value(), v)
		}
		if out == nil {
			out = e
		} else {
			out = c.call("feel_or", out, e)
		}
	}
	if xv != "" {
		return c.bind(xv, x, out), nil
	}
	return out, nil
}

// genFilter compiles list[cond]. A number literal indexes directly; any
// other condition is evaluated per element with `item` (and the element's
// keys) in scope, and its first result decides between index and filter.
func (c *compiler) genFilter(n *node, sc *scope) (ast.Expr, error) {
	x, err := c.gen(n.kids[0], sc)
	if err != nil {
		return nil, err
	}
	cond := n.kids[1]
	if cond.kind == nNum {
		return c.call("feel_index", x, c.lit(&box{v: cond.num})), nil
	}
	tv, iv, av := c.fresh("t"), c.fresh("i"), c.fresh("a")
	ce, err := c.gen(cond, &scope{parent: sc, kind: scopeItem, ident: iv})
	if err != nil {
		return nil, err
	}
	loop := c.fold(c.ident(tv), iv, av,
		c.call("feel_facc", c.ident(tv)),
		c.call("feel_fcont", c.ident(av)),
		c.call("feel_fstep", c.ident(av), ce),
		c.call("feel_fdone", c.ident(av)))
	return c.bind(tv, c.call("feel_iter", x), loop), nil
}

func (c *compiler) iterSource(n *node, sc *scope) (ast.Expr, error) {
	src, err := c.gen(n, sc)
	if err != nil {
		return nil, err
	}
	return c.call("feel_iter", src), nil
}

// genFor compiles the k-th iteration context of a for expression; nested
// contexts append their results to the outer list (a cartesian product).
func (c *compiler) genFor(n *node, sc *scope, k int) (ast.Expr, error) {
	src, err := c.iterSource(n.kids[k], sc)
	if err != nil {
		return nil, err
	}
	iv, av := c.fresh("i"), c.fresh("a")
	inner := &scope{parent: sc, kind: scopeVar, name: n.names[k], ident: iv}
	push := "feel_push"
	var body ast.Expr
	if k == len(n.names)-1 {
		body, err = c.gen(n.kids[len(n.kids)-1], inner)
	} else {
		body, err = c.genFor(n, inner, k+1)
		push = "feel_pushall"
	}
	if err != nil {
		return nil, err
	}
	return c.fold(src, iv, av, c.call("feel_newacc"), c.lit(types.True),
		c.call(push, c.ident(av), body), c.ident(av)), nil
}

// genQuantifier compiles some/every with FEEL's three-valued or/and, stopping
// at the first decisive element.
func (c *compiler) genQuantifier(n *node, sc *scope, k int) (ast.Expr, error) {
	if k == len(n.names) {
		return c.gen(n.kids[len(n.kids)-1], sc)
	}
	src, err := c.iterSource(n.kids[k], sc)
	if err != nil {
		return nil, err
	}
	iv, av := c.fresh("i"), c.fresh("a")
	body, err := c.genQuantifier(n, &scope{parent: sc, kind: scopeVar, name: n.names[k], ident: iv}, k+1)
	if err != nil {
		return nil, err
	}
	init, stop, op := types.False, types.True, "feel_or"
	if n.kind == nEvery {
		init, stop, op = types.True, types.False, "feel_and"
	}
	return c.fold(src, iv, av, c.lit(init), c.call("feel_notis", c.ident(av), c.lit(stop)),
		c.call(op, c.ident(av), body), c.ident(av)), nil
}

// mentions reports whether name occurs as a plain name anywhere in n.
func mentions(n *node, name string) bool {
	if n == nil {
		return false
	}
	if n.kind == nName && n.str == name {
		return true
	}
	for _, k := range n.kids {
		if mentions(k, name) {
			return true
		}
	}
	return false
}

// genContext compiles a context literal; an entry that a later entry refers
// to is bound to a variable first.
func (c *compiler) genContext(n *node, sc *scope) (ast.Expr, error) {
	type binding struct {
		ident string
		init  ast.Expr
	}
	var binds []binding
	args := make([]ast.Expr, 0, 2*len(n.kids))
	cur := sc
	for i, k := range n.kids {
		v, err := c.gen(k, cur)
		if err != nil {
			return nil, err
		}
		key := n.names[i]
		needed := false
		for _, later := range n.kids[i+1:] {
			if mentions(later, key) {
				needed = true
				break
			}
		}
		if needed {
			id := c.fresh("c")
			binds = append(binds, binding{id, v})
			cur = &scope{parent: cur, kind: scopeVar, name: key, ident: id}
			v = c.ident(id)
		}
		args = append(args, c.strLit(key), v)
	}
	out := c.call("feel_ctx", args...)
	for i := len(binds) - 1; i >= 0; i-- {
		out = c.bind(binds[i].ident, binds[i].init, out)
	}
	return out, nil
}

// orderArgs maps named arguments to positions; missing ones become null.
func (c *compiler) orderArgs(n *node, b *builtin) ([]*node, error) {
	if n.names == nil {
		return n.kids, nil
	}
	for _, sig := range b.sigs {
		pos := map[string]int{}
		for i, p := range sig {
			pos[p] = i
		}
		out := make([]*node, 0, len(sig))
		ok := true
		for i, name := range n.names {
			p, found := pos[name]
			if !found {
				ok = false
				break
			}
			for len(out) <= p {
				out = append(out, nil)
			}
			out[p] = n.kids[i]
		}
		if !ok {
			continue
		}
		for i := range out {
			if out[i] == nil {
				out[i] = &node{kind: nNull, pos: n.pos}
			}
		}
		return out, nil
	}
	for _, name := range n.names {
		known := false
		for _, sig := range b.sigs {
			for _, p := range sig {
				known = known || p == name
			}
		}
		if !known {
			return nil, c.errAt(n, "function %q has no parameter %q", b.name, name)
		}
	}
	return nil, c.errAt(n, "function %q cannot take parameters %q together", b.name, n.names)
}

func (c *compiler) genCall(n *node, sc *scope) (ast.Expr, error) {
	b := builtins[n.str]
	args, err := c.orderArgs(n, b)
	if err != nil {
		return nil, err
	}
	if len(args) < b.min || b.max >= 0 && len(args) > b.max {
		return nil, c.errAt(n, "function %q takes %s arguments but was given %d", b.name, b.describeArity(), len(args))
	}
	switch b.name {
	case "is defined":
		return c.genDefined(args[0], sc)
	case "sort":
		if len(args) == 2 {
			return c.genSort(args[0], args[1], sc)
		}
	}
	exprs, err := c.genAll(args, sc)
	if err != nil {
		return nil, err
	}
	if b.state {
		exprs = append([]ast.Expr{c.state()}, exprs...)
	}
	return c.call(b.celName, exprs...), nil
}

func (c *compiler) genDefined(a *node, sc *scope) (ast.Expr, error) {
	switch a.kind {
	case nName:
		return c.resolveDefined(a.str, sc), nil
	case nPath:
		x, err := c.gen(a.kids[0], sc)
		if err != nil {
			return nil, err
		}
		return c.call("feel_haskey", x, c.strLit(a.str)), nil
	}
	x, err := c.gen(a, sc)
	if err != nil {
		return nil, err
	}
	return c.call(builtins["is defined"].celName, x), nil
}

// genSort compiles sort(list, function(a, b) precedes): each element's rank
// is the number of elements that precede it, and a stable sort by rank
// orders the list.
func (c *compiler) genSort(listNode, fn *node, sc *scope) (ast.Expr, error) {
	if fn.kind != nFunc || len(fn.names) != 2 {
		return nil, c.errAt(fn, "the precedes argument of sort must be a function literal with two parameters")
	}
	x, err := c.gen(listNode, sc)
	if err != nil {
		return nil, err
	}
	tv, xv, yv, av, cv := c.fresh("t"), c.fresh("i"), c.fresh("i"), c.fresh("a"), c.fresh("a")
	inner := &scope{parent: &scope{parent: sc, kind: scopeVar, name: fn.names[1], ident: xv},
		kind: scopeVar, name: fn.names[0], ident: yv}
	cmp, err := c.gen(fn.kids[0], inner)
	if err != nil {
		return nil, err
	}
	count := c.fold(c.ident(tv), yv, cv, c.lit(&box{v: 0.0}), c.lit(types.True),
		c.call("feel_countif", c.ident(cv), cmp), c.ident(cv))
	ranks := c.fold(c.ident(tv), xv, av, c.call("feel_newacc"), c.lit(types.True),
		c.call("feel_push", c.ident(av), count), c.ident(av))
	return c.bind(tv, c.call("feel_iter", x), c.call("feel_sortrank", c.ident(tv), ranks)), nil
}
