package expr

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"cel.dev/cel-go/common/types/ref"
)

// builtin is a FEEL built-in function. Its implementation receives
// normalised argument values (nil for a missing optional argument) and
// returns null for arguments of the wrong type.
type builtin struct {
	name    string
	sigs    [][]string // parameter names of each signature, per the FEEL spec
	min     int
	max     int  // -1: any number of arguments
	state   bool // needs the evaluation state (now, seed)
	celName string
	fn      func(st *activation, args []any) (any, error)
}

var (
	builtins     = map[string]*builtin{}
	maxFuncWords = 1
)

func def(name string, min, max int, fn func(st *activation, args []any) (any, error), sigs ...string) {
	b := &builtin{name: name, min: min, max: max, fn: fn,
		celName: "f_" + strings.ReplaceAll(name, " ", "_")}
	for _, s := range sigs {
		b.sigs = append(b.sigs, strings.Split(s, ","))
	}
	builtins[name] = b
	if n := len(strings.Fields(name)); n > maxFuncWords {
		maxFuncWords = n
	}
}

// simple wraps a function that cannot fail.
func simple(fn func(args []any) any) func(*activation, []any) (any, error) {
	return func(_ *activation, args []any) (any, error) { return fn(args), nil }
}

func builtinBinding(b *builtin) func(...ref.Val) ref.Val {
	return func(args ...ref.Val) ref.Val {
		var st *activation
		if b.state && len(args) > 0 {
			st, _ = args[0].(*activation)
			args = args[1:]
		}
		vals := make([]any, len(args))
		for i, a := range args {
			vals[i] = unwrap(a)
		}
		r, err := b.fn(st, vals)
		if err != nil {
			return errVal(err)
		}
		return wrap(r)
	}
}

// ---- argument helpers ----

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

func str(args []any, i int) (string, bool) {
	s, ok := arg(args, i).(string)
	return s, ok
}

func num(args []any, i int) (float64, bool) {
	f, ok := arg(args, i).(float64)
	return f, ok
}

func integer(args []any, i int) (int, bool) {
	return asInt(arg(args, i))
}

func list(args []any, i int) ([]any, bool) {
	l, ok := arg(args, i).([]any)
	return l, ok
}

// varList reads the list argument of functions such as min that also take
// their items as separate arguments.
func varList(args []any) ([]any, bool) {
	if len(args) == 1 {
		if l, ok := args[0].([]any); ok {
			return l, true
		}
		if args[0] == nil {
			return nil, false
		}
	}
	return args, true
}

func normAll(l []any) []any {
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = norm(e)
	}
	return out
}

func numbers(l []any) ([]float64, bool) {
	out := make([]float64, len(l))
	for i, e := range l {
		f, ok := norm(e).(float64)
		if !ok {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

func checkLen(n int) error {
	if n > maxListLen {
		return errListTooLong
	}
	return nil
}

// ---- regular expressions ----

var (
	regexCache      sync.Map // string -> *regexp.Regexp
	regexCacheCount atomic.Int64
)

const maxCachedRegexps = 1000

// compileRegex translates an XPath pattern with flags into a Go regexp.
func compileRegex(pattern, flags string) (*regexp.Regexp, bool) {
	key := flags + "\x00" + pattern
	if re, ok := regexCache.Load(key); ok {
		return re.(*regexp.Regexp), true
	}
	var prefix strings.Builder
	for _, f := range flags {
		switch f {
		case 'i', 's', 'm':
			if prefix.Len() == 0 {
				prefix.WriteString("(?")
			}
			prefix.WriteRune(f)
		case 'x':
			pattern = strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, pattern)
		case 'q':
			pattern = regexp.QuoteMeta(pattern)
		default:
			return nil, false
		}
	}
	if prefix.Len() > 0 {
		prefix.WriteByte(')')
	}
	re, err := regexp.Compile(prefix.String() + pattern)
	if err != nil {
		return nil, false
	}
	if regexCacheCount.Load() < maxCachedRegexps {
		if _, loaded := regexCache.LoadOrStore(key, re); !loaded {
			regexCacheCount.Add(1)
		}
	}
	return re, true
}

// xpathReplacement turns an XPath replacement ($1, \$) into Go's (${1}, $$).
func xpathReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(s[i])
			}
		case c == '$':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == i+1 {
				b.WriteString("$$")
				continue
			}
			b.WriteString("${")
			b.WriteString(s[i+1 : j])
			b.WriteString("}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ---- rounding ----

type roundMode int

const (
	roundHalfEven roundMode = iota
	roundHalfUp
	roundHalfDown
	roundUp   // away from zero
	roundDown // toward zero
	roundFloor
	roundCeiling
)

// roundScale rounds v to scale decimal places using v's shortest decimal
// representation, so 2.675 rounds half up to 2.68 as it would in decimal.
func roundScale(v float64, scale int, mode roundMode) (any, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || scale > 400 || scale < -400 {
		return nil, false
	}
	if v == 0 {
		return 0.0, true
	}
	neg := v < 0
	s := strconv.FormatFloat(math.Abs(v), 'e', -1, 64) // d.ddddde±XX
	mant, expPart, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expPart)
	digits := strings.Replace(mant, ".", "", 1)
	// value = digits × 10^(exp - len(digits) + 1)
	e := exp - len(digits) + 1
	if -e <= scale {
		return v, true
	}
	drop := -e - scale
	var kept, rest string
	if drop >= len(digits) {
		rest = strings.Repeat("0", drop-len(digits)) + digits
	} else {
		kept, rest = digits[:len(digits)-drop], digits[len(digits)-drop:]
	}
	restZero := strings.Trim(rest, "0") == ""
	half := 0 // -1 below half, 0 exactly half, 1 above
	switch {
	case rest[0] < '5':
		half = -1
	case rest[0] > '5' || strings.Trim(rest[1:], "0") != "":
		half = 1
	}
	lastOdd := len(kept) > 0 && (kept[len(kept)-1]-'0')%2 == 1
	inc := false
	switch mode {
	case roundHalfEven:
		inc = half > 0 || half == 0 && lastOdd
	case roundHalfUp:
		inc = half >= 0
	case roundHalfDown:
		inc = half > 0
	case roundUp:
		inc = !restZero
	case roundDown:
	case roundFloor:
		inc = neg && !restZero
	case roundCeiling:
		inc = !neg && !restZero
	}
	if kept == "" {
		kept = "0"
	}
	if inc {
		kept = incrementDigits(kept)
	}
	r, err := strconv.ParseFloat(kept+"e"+strconv.Itoa(-scale), 64)
	if err != nil {
		return nil, false
	}
	if neg {
		r = -r
	}
	if r == 0 {
		r = 0
	}
	return r, true
}

func incrementDigits(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

func rounding(mode roundMode, scaleRequired bool) func(args []any) any {
	return func(args []any) any {
		n, ok := num(args, 0)
		if !ok {
			return nil
		}
		scale := 0
		if len(args) > 1 && args[1] != nil {
			s, ok := integer(args, 1)
			if !ok {
				return nil
			}
			scale = s
		} else if scaleRequired {
			return nil
		}
		r, ok := roundScale(n, scale, mode)
		if !ok {
			return nil
		}
		return r
	}
}

// ---- uuid ----

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// uuidFrom builds an RFC 4122 version 4 shaped UUID from a seed and counter.
func uuidFrom(seed, n uint64) string {
	hi := splitmix(seed ^ splitmix(n*2+1))
	lo := splitmix(hi ^ splitmix(n*2+2))
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexDigits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return string(out)
}

// ---- conversions ----

func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func fnNumber(args []any) any {
	s, ok := str(args, 0)
	if !ok {
		if f, ok := num(args, 0); ok && len(args) == 1 {
			return f
		}
		return nil
	}
	if len(args) > 1 {
		group, gOK := arg(args, 1).(string)
		dec, dOK := arg(args, 2).(string)
		if arg(args, 1) != nil && (!gOK || (group != " " && group != "," && group != ".")) {
			return nil
		}
		if arg(args, 2) != nil && (!dOK || (dec != "," && dec != ".")) {
			return nil
		}
		if gOK && dOK && group == dec {
			return nil
		}
		if gOK {
			s = strings.ReplaceAll(s, group, "")
		}
		if dOK {
			s = strings.ReplaceAll(s, dec, ".")
		}
	}
	f, ok := parseNumber(s)
	if !ok {
		return nil
	}
	return f
}

func fnDate(args []any) any {
	if len(args) == 3 {
		y, ok1 := integer(args, 0)
		m, ok2 := integer(args, 1)
		d, ok3 := integer(args, 2)
		if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || y < -999999999 || y > 999999999 || d > daysIn(y, time.Month(m)) {
			return nil
		}
		return Date{Year: y, Month: time.Month(m), Day: d}
	}
	switch x := arg(args, 0).(type) {
	case string:
		if d, ok := parseDate(x); ok {
			return d
		}
		if dt, ok := parseDateTime(x); ok {
			return dateOf(dt.Time)
		}
	case Date:
		return x
	case DateTime:
		return dateOf(x.Time)
	}
	return nil
}

func fnTime(args []any) any {
	if len(args) >= 3 {
		h, ok1 := integer(args, 0)
		m, ok2 := integer(args, 1)
		s, ok3 := num(args, 2)
		if !ok1 || !ok2 || !ok3 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s >= 60 {
			return nil
		}
		t := Time{Hour: h, Minute: m, Second: int(s), Nanosecond: int(math.Round((s - math.Trunc(s)) * 1e9))}
		if t.Nanosecond >= 1e9 {
			t.Nanosecond = 1e9 - 1
		}
		switch off := arg(args, 3).(type) {
		case nil:
		case Duration:
			secs := time.Duration(off) / time.Second
			if secs < -18*3600 || secs > 18*3600 {
				return nil
			}
			t.HasOffset, t.Offset = true, int(secs)
		default:
			return nil
		}
		return t
	}
	switch x := arg(args, 0).(type) {
	case string:
		if t, ok := parseClock(x); ok {
			return t
		}
		if dt, ok := parseDateTime(x); ok {
			return timeOfDateTime(dt)
		}
	case Time:
		return x
	case DateTime:
		return timeOfDateTime(x)
	case Date:
		return Time{HasOffset: true}
	}
	return nil
}

func timeOfDateTime(dt DateTime) Time {
	t := dt.Time
	r := Time{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Nanosecond: t.Nanosecond()}
	if !dt.Local {
		_, off := t.Zone()
		r.HasOffset, r.Offset = true, off
	}
	return r
}

func fnDateAndTime(args []any) any {
	if len(args) == 2 {
		var d Date
		switch x := arg(args, 0).(type) {
		case Date:
			d = x
		case DateTime:
			d = dateOf(x.Time)
		default:
			return nil
		}
		t, ok := arg(args, 1).(Time)
		if !ok {
			return nil
		}
		return combine(d, t)
	}
	switch x := arg(args, 0).(type) {
	case string:
		if dt, ok := parseDateTime(x); ok {
			return dt
		}
		if d, ok := parseDate(x); ok {
			return DateTime{Time: d.midnight(), Local: true}
		}
	case DateTime:
		return x
	case Date:
		return DateTime{Time: x.midnight(), Local: true}
	}
	return nil
}

func fnDuration(args []any) any {
	switch x := arg(args, 0).(type) {
	case string:
		if d, ok := parseDuration(x); ok {
			return d
		}
	case Duration, YearsMonths:
		return x
	}
	return nil
}

func fnYearsAndMonths(args []any) any {
	a, _, ok1 := asInstant(arg(args, 0))
	b, _, ok2 := asInstant(arg(args, 1))
	if !ok1 || !ok2 {
		return nil
	}
	return YearsMonths(monthsBetween(a, b))
}

func fnContext(args []any) any {
	l, ok := list(args, 0)
	if !ok {
		return nil
	}
	out := make(map[string]any, len(l))
	for _, e := range l {
		m, ok := norm(e).(map[string]any)
		if !ok {
			return nil
		}
		k, ok := norm(m["key"]).(string)
		if !ok {
			return nil
		}
		out[k] = m["value"]
	}
	return out
}

func temporalDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case Date:
		return x.midnight(), true
	case DateTime:
		return x.Time, true
	}
	return time.Time{}, false
}

// ---- list helpers ----

func extremum(args []any, want int) any {
	l, ok := varList(args)
	if !ok || len(l) == 0 {
		return nil
	}
	best := norm(l[0])
	for _, e := range l[1:] {
		e = norm(e)
		c, ok := feelCompare(e, best)
		if !ok {
			return nil
		}
		if c == want {
			best = e
		}
	}
	if _, ok := feelCompare(best, best); !ok {
		return nil
	}
	return best
}

func fnSum(args []any) any {
	l, ok := varList(args)
	if !ok || len(l) == 0 {
		return nil
	}
	ns, ok := numbers(l)
	if !ok {
		return nil
	}
	s := 0.0
	for _, n := range ns {
		s += n
	}
	return numResult(s)
}

func fnMean(args []any) any {
	l, ok := varList(args)
	if !ok || len(l) == 0 {
		return nil
	}
	ns, ok := numbers(l)
	if !ok {
		return nil
	}
	s := 0.0
	for _, n := range ns {
		s += n
	}
	return numResult(s / float64(len(ns)))
}

func fnProduct(args []any) any {
	l, ok := varList(args)
	if !ok || len(l) == 0 {
		return nil
	}
	ns, ok := numbers(l)
	if !ok {
		return nil
	}
	p := 1.0
	for _, n := range ns {
		p *= n
	}
	return numResult(p)
}

func fnMedian(args []any) any {
	l, ok := varList(args)
	if !ok || len(l) == 0 {
		return nil
	}
	ns, ok := numbers(l)
	if !ok {
		return nil
	}
	sort.Float64s(ns)
	m := len(ns) / 2
	if len(ns)%2 == 1 {
		return ns[m]
	}
	return numResult((ns[m-1] + ns[m]) / 2)
}

func fnStddev(args []any) any {
	l, ok := varList(args)
	if !ok || len(l) < 2 {
		return nil
	}
	ns, ok := numbers(l)
	if !ok {
		return nil
	}
	mean := 0.0
	for _, n := range ns {
		mean += n
	}
	mean /= float64(len(ns))
	ss := 0.0
	for _, n := range ns {
		ss += (n - mean) * (n - mean)
	}
	return numResult(math.Sqrt(ss / float64(len(ns)-1)))
}

func fnMode(args []any) any {
	l, ok := varList(args)
	if !ok {
		return nil
	}
	ns, ok := numbers(l)
	if !ok {
		return nil
	}
	counts := map[float64]int{}
	best := 0
	for _, n := range ns {
		counts[n]++
		if counts[n] > best {
			best = counts[n]
		}
	}
	out := []any{}
	keys := make([]float64, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Float64s(keys)
	for _, k := range keys {
		if counts[k] == best {
			out = append(out, k)
		}
	}
	return out
}

func fnAll(args []any) any {
	l, ok := varList(args)
	if !ok {
		return nil
	}
	var r any = true
	for _, e := range l {
		e = norm(e)
		if _, isBool := e.(bool); !isBool {
			e = nil
		}
		r = opAnd(r, e)
	}
	return r
}

func fnAny(args []any) any {
	l, ok := varList(args)
	if !ok {
		return nil
	}
	var r any = false
	for _, e := range l {
		e = norm(e)
		if _, isBool := e.(bool); !isBool {
			e = nil
		}
		r = opOr(r, e)
	}
	return r
}

// position converts a FEEL 1-based (negative from the end) position to a
// 0-based index into a list of n elements.
func position(p, n int) (int, bool) {
	switch {
	case p > 0 && p <= n:
		return p - 1, true
	case p < 0 && -p <= n:
		return n + p, true
	}
	return 0, false
}

func fnSublist(args []any) any {
	l, ok1 := list(args, 0)
	start, ok2 := integer(args, 1)
	if !ok1 || !ok2 {
		return nil
	}
	from, ok := position(start, len(l))
	if !ok {
		return nil
	}
	to := len(l)
	if len(args) > 2 && args[2] != nil {
		n, ok := integer(args, 2)
		if !ok || n < 0 {
			return nil
		}
		if from+n < to {
			to = from + n
		}
	}
	return append([]any{}, l[from:to]...)
}

func fnAppend(args []any) (any, error) {
	l, ok := list(args, 0)
	if !ok {
		return nil, nil
	}
	if err := checkLen(len(l) + len(args) - 1); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(l)+len(args)-1)
	out = append(out, l...)
	return append(out, args[1:]...), nil
}

func fnConcatenate(args []any) (any, error) {
	n := 0
	for _, a := range args {
		l, ok := a.([]any)
		if !ok {
			return nil, nil
		}
		n += len(l)
	}
	if err := checkLen(n); err != nil {
		return nil, err
	}
	out := make([]any, 0, n)
	for _, a := range args {
		out = append(out, a.([]any)...)
	}
	return out, nil
}

func fnInsertBefore(args []any) any {
	l, ok1 := list(args, 0)
	p, ok2 := integer(args, 1)
	if !ok1 || !ok2 {
		return nil
	}
	i, ok := position(p, len(l))
	if !ok {
		return nil
	}
	out := make([]any, 0, len(l)+1)
	out = append(out, l[:i]...)
	out = append(out, arg(args, 2))
	return append(out, l[i:]...)
}

func fnRemove(args []any) any {
	l, ok1 := list(args, 0)
	p, ok2 := integer(args, 1)
	if !ok1 || !ok2 {
		return nil
	}
	i, ok := position(p, len(l))
	if !ok {
		return nil
	}
	out := make([]any, 0, len(l)-1)
	out = append(out, l[:i]...)
	return append(out, l[i+1:]...)
}

func fnReverse(args []any) any {
	l, ok := list(args, 0)
	if !ok {
		return nil
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[len(l)-1-i] = e
	}
	return out
}

func fnIndexOf(args []any) any {
	l, ok := list(args, 0)
	if !ok {
		return nil
	}
	out := []any{}
	for i, e := range l {
		if feelEqual(e, arg(args, 1)) {
			out = append(out, float64(i+1))
		}
	}
	return out
}

// distinct keeps the first of equal elements; dups lists the elements that
// occur more than once, each once.
func distinct(l []any) (uniq, dups []any) {
	uniq, dups = []any{}, []any{}
	seen := make(map[string]int, len(l))
	for _, e := range l {
		k, ok := feelKey(e)
		if !ok {
			return nil, nil
		}
		n := seen[k]
		seen[k] = n + 1
		switch n {
		case 0:
			uniq = append(uniq, e)
		case 1:
			dups = append(dups, e)
		}
	}
	return uniq, dups
}

func fnDistinct(args []any) any {
	l, ok := list(args, 0)
	if !ok {
		return nil
	}
	u, _ := distinct(l)
	if u == nil {
		return nil
	}
	return u
}

func fnDuplicates(args []any) any {
	l, ok := list(args, 0)
	if !ok {
		return nil
	}
	_, d := distinct(l)
	if d == nil {
		return nil
	}
	return d
}

func fnUnion(args []any) (any, error) {
	c, err := fnConcatenate(args)
	if c == nil || err != nil {
		return nil, err
	}
	u, _ := distinct(c.([]any))
	if u == nil {
		return nil, nil
	}
	return u, nil
}

func flattenInto(out []any, l []any, depth int) ([]any, error) {
	if depth > maxDepth {
		return nil, evalErrorf("list is nested more than %d levels deep", maxDepth)
	}
	for _, e := range l {
		if inner, ok := norm(e).([]any); ok {
			var err error
			if out, err = flattenInto(out, inner, depth+1); err != nil {
				return nil, err
			}
			continue
		}
		if len(out) >= maxListLen {
			return nil, errListTooLong
		}
		out = append(out, e)
	}
	return out, nil
}

func fnFlatten(args []any) (any, error) {
	l, ok := list(args, 0)
	if !ok {
		return nil, nil
	}
	return flattenInto([]any{}, l, 0)
}

func fnSort(args []any) any {
	l, ok := list(args, 0)
	if !ok {
		return nil
	}
	out := normAll(l)
	for i := 1; i < len(out); i++ {
		if _, ok := feelCompare(out[0], out[i]); !ok {
			return nil
		}
	}
	if len(out) == 1 {
		if _, ok := feelCompare(out[0], out[0]); !ok {
			return nil
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		c, _ := feelCompare(out[i], out[j])
		return c < 0
	})
	return out
}

func fnStringJoin(args []any) (any, error) {
	l, ok := list(args, 0)
	if !ok {
		return nil, nil
	}
	sep, prefix, suffix := "", "", ""
	for i, p := range []*string{&sep, &prefix, &suffix} {
		if v := arg(args, i+1); v != nil {
			s, ok := v.(string)
			if !ok {
				return nil, nil
			}
			*p = s
		}
	}
	parts := make([]string, 0, len(l))
	for _, e := range l {
		switch s := norm(e).(type) {
		case nil:
		case string:
			parts = append(parts, s)
		default:
			return nil, nil
		}
	}
	s, err := concatStrings(parts, sep)
	if err != nil {
		return nil, err
	}
	return prefix + s + suffix, nil
}

// ---- context helpers ----

func copyCtx(m map[string]any, extra int) map[string]any {
	out := make(map[string]any, len(m)+extra)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func contextPut(m map[string]any, keys []any, v any, depth int) any {
	if len(keys) == 0 || depth > maxDepth {
		return nil
	}
	k, ok := norm(keys[0]).(string) // #nosec G602 -- len(keys) checked above
	if !ok {
		return nil
	}
	out := copyCtx(m, 1)
	if len(keys) == 1 {
		out[k] = v
		return out
	}
	inner, _ := norm(m[k]).(map[string]any)
	if inner == nil {
		inner = map[string]any{}
	}
	r := contextPut(inner, keys[1:], v, depth+1) // #nosec G602 -- len(keys) > 1 here
	if r == nil {
		return nil
	}
	out[k] = r
	return out
}

func fnContextPut(args []any) any {
	m, ok := arg(args, 0).(map[string]any)
	if !ok {
		return nil
	}
	switch k := arg(args, 1).(type) {
	case string:
		return contextPut(m, []any{k}, arg(args, 2), 0)
	case []any:
		return contextPut(m, k, arg(args, 2), 0)
	}
	return nil
}

func fnContextMerge(args []any) any {
	l, ok := varList(args)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for _, e := range l {
		m, ok := norm(e).(map[string]any)
		if !ok {
			return nil
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func fnGetValue(args []any) any {
	m, ok := arg(args, 0).(map[string]any)
	if !ok {
		return nil
	}
	switch k := arg(args, 1).(type) {
	case string:
		return norm(m[k])
	case []any:
		var cur any = m
		for _, key := range k {
			s, ok := norm(key).(string)
			c, isCtx := cur.(map[string]any)
			if !ok || !isCtx {
				return nil
			}
			cur = norm(c[s])
		}
		return cur
	}
	return nil
}

func fnGetEntries(args []any) any {
	m, ok := arg(args, 0).(map[string]any)
	if !ok {
		return nil
	}
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"key": k, "value": m[k]})
	}
	return out
}

// ---- string helpers ----

func fnSubstring(args []any) any {
	s, ok1 := str(args, 0)
	start, ok2 := num(args, 1)
	if !ok1 || !ok2 {
		return nil
	}
	r := []rune(s)
	n := len(r)
	st := int(start)
	if st < 0 {
		st = n + st + 1
	}
	if st < 1 {
		st = 1
	}
	from := st - 1
	if from > n {
		return ""
	}
	to := n
	if len(args) > 2 && args[2] != nil {
		l, ok := num(args, 2)
		if !ok || l < 0 {
			return nil
		}
		if from+int(l) < to {
			to = from + int(l)
		}
	}
	return string(r[from:to])
}

func strPair(args []any, fn func(a, b string) any) any {
	a, ok1 := str(args, 0)
	b, ok2 := str(args, 1)
	if !ok1 || !ok2 {
		return nil
	}
	return fn(a, b)
}

func regexArgs(args []any, flagsAt int) (string, *regexp.Regexp, bool) {
	s, ok1 := str(args, 0)
	p, ok2 := str(args, 1)
	if !ok1 || !ok2 {
		return "", nil, false
	}
	flags := ""
	if v := arg(args, flagsAt); v != nil {
		f, ok := v.(string)
		if !ok {
			return "", nil, false
		}
		flags = f
	}
	re, ok := compileRegex(p, flags)
	return s, re, ok
}

func fnReplace(args []any) (any, error) {
	s, re, ok := regexArgs(args, 3)
	rep, ok2 := str(args, 2)
	if !ok || !ok2 {
		return nil, nil
	}
	tmpl := xpathReplacement(rep)
	var out []byte
	last := 0
	matches := re.FindAllStringSubmatchIndex(s, maxListLen+1)
	if len(matches) > maxListLen {
		return nil, evalErrorf("replace found more than %d matches", maxListLen)
	}
	for _, m := range matches {
		out = append(out, s[last:m[0]]...)
		out = re.ExpandString(out, tmpl, s, m)
		last = m[1]
		if len(out) > maxStringLen {
			return nil, errStringTooLong
		}
	}
	out = append(out, s[last:]...)
	if len(out) > maxStringLen {
		return nil, errStringTooLong
	}
	return string(out), nil
}

func fnMatches(args []any) any {
	s, re, ok := regexArgs(args, 2)
	if !ok {
		return nil
	}
	return re.MatchString(s)
}

func fnSplit(args []any) (any, error) {
	s, re, ok := regexArgs(args, 2)
	if !ok {
		return nil, nil
	}
	parts := re.Split(s, maxListLen+1)
	if len(parts) > maxListLen {
		return nil, errListTooLong
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnExtract(args []any) (any, error) {
	s, re, ok := regexArgs(args, 2)
	if !ok {
		return nil, nil
	}
	ms := re.FindAllString(s, maxListLen+1)
	if len(ms) > maxListLen {
		return nil, errListTooLong
	}
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out, nil
}

func numFunc(fn func(float64) (float64, bool)) func(args []any) any {
	return func(args []any) any {
		n, ok := num(args, 0)
		if !ok {
			return nil
		}
		r, ok := fn(n)
		if !ok {
			return nil
		}
		return numResult(r)
	}
}

func weekdayName(t time.Time) string { return t.Weekday().String() }

func init() {
	// Conversion.
	def("string", 1, 1, func(_ *activation, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return stringOf(a[0])
	}, "from")
	def("number", 1, 3, simple(fnNumber), "from,grouping separator,decimal separator")
	def("date", 1, 3, simple(fnDate), "from", "year,month,day")
	def("time", 1, 4, simple(fnTime), "from", "hour,minute,second,offset")
	def("date and time", 1, 2, simple(fnDateAndTime), "from", "date,time")
	def("duration", 1, 1, simple(fnDuration), "from")
	def("years and months duration", 2, 2, simple(fnYearsAndMonths), "from,to")
	def("context", 1, 1, simple(fnContext), "entries")

	// Temporal.
	nowFn := func(st *activation, _ []any) (any, error) {
		if st == nil {
			return nil, nil
		}
		return DateTime{Time: st.now}, nil
	}
	def("now", 0, 0, nowFn)
	builtins["now"].state = true
	def("today", 0, 0, func(st *activation, _ []any) (any, error) {
		if st == nil {
			return nil, nil
		}
		return dateOf(st.now), nil
	})
	builtins["today"].state = true
	dateFn := func(fn func(time.Time) any) func(*activation, []any) (any, error) {
		return simple(func(a []any) any {
			t, ok := temporalDate(a[0])
			if !ok {
				return nil
			}
			return fn(t)
		})
	}
	def("day of week", 1, 1, dateFn(func(t time.Time) any { return weekdayName(t) }), "date")
	def("month of year", 1, 1, dateFn(func(t time.Time) any { return t.Month().String() }), "date")
	def("day of year", 1, 1, dateFn(func(t time.Time) any { return float64(t.YearDay()) }), "date")
	def("week of year", 1, 1, dateFn(func(t time.Time) any { _, w := t.ISOWeek(); return float64(w) }), "date")
	def("last day of month", 1, 1, dateFn(func(t time.Time) any { return float64(daysIn(t.Year(), t.Month())) }), "date")

	// Strings.
	def("substring", 2, 3, simple(fnSubstring), "string,start position,length")
	def("string length", 1, 1, simple(func(a []any) any {
		s, ok := a[0].(string)
		if !ok {
			return nil
		}
		return float64(utf8.RuneCountInString(s))
	}), "string")
	def("upper case", 1, 1, simple(func(a []any) any {
		s, ok := a[0].(string)
		if !ok {
			return nil
		}
		return strings.ToUpper(s)
	}), "string")
	def("lower case", 1, 1, simple(func(a []any) any {
		s, ok := a[0].(string)
		if !ok {
			return nil
		}
		return strings.ToLower(s)
	}), "string")
	def("substring before", 2, 2, simple(func(a []any) any {
		return strPair(a, func(s, m string) any {
			if i := strings.Index(s, m); i >= 0 {
				return s[:i]
			}
			return ""
		})
	}), "string,match")
	def("substring after", 2, 2, simple(func(a []any) any {
		return strPair(a, func(s, m string) any {
			if i := strings.Index(s, m); i >= 0 {
				return s[i+len(m):]
			}
			return ""
		})
	}), "string,match")
	def("contains", 2, 2, simple(func(a []any) any {
		return strPair(a, func(s, m string) any { return strings.Contains(s, m) })
	}), "string,match")
	def("starts with", 2, 2, simple(func(a []any) any {
		return strPair(a, func(s, m string) any { return strings.HasPrefix(s, m) })
	}), "string,match")
	def("ends with", 2, 2, simple(func(a []any) any {
		return strPair(a, func(s, m string) any { return strings.HasSuffix(s, m) })
	}), "string,match")
	def("replace", 3, 4, func(_ *activation, a []any) (any, error) { return fnReplace(a) }, "input,pattern,replacement,flags")
	def("matches", 2, 3, simple(fnMatches), "input,pattern,flags")
	def("split", 2, 2, func(_ *activation, a []any) (any, error) { return fnSplit(a) }, "string,delimiter")
	def("extract", 2, 2, func(_ *activation, a []any) (any, error) { return fnExtract(a) }, "string,pattern")
	def("trim", 1, 1, simple(func(a []any) any {
		s, ok := a[0].(string)
		if !ok {
			return nil
		}
		return strings.TrimSpace(s)
	}), "string")
	def("is blank", 1, 1, simple(func(a []any) any {
		s, ok := a[0].(string)
		if !ok {
			return nil
		}
		return strings.TrimSpace(s) == ""
	}), "string")
	def("string join", 1, 4, func(_ *activation, a []any) (any, error) { return fnStringJoin(a) }, "list,delimiter,prefix,suffix")
	def("uuid", 0, 0, func(st *activation, _ []any) (any, error) {
		if st == nil {
			return nil, nil
		}
		n := st.uuids
		st.uuids++
		return uuidFrom(st.seed, n), nil
	})
	builtins["uuid"].state = true

	// Lists.
	def("list contains", 2, 2, simple(func(a []any) any {
		l, ok := a[0].([]any)
		if !ok {
			return nil
		}
		for _, e := range l {
			if feelEqual(e, a[1]) {
				return true
			}
		}
		return false
	}), "list,element")
	def("count", 1, 1, simple(func(a []any) any {
		l, ok := a[0].([]any)
		if !ok {
			return nil
		}
		return float64(len(l))
	}), "list")
	def("min", 1, -1, simple(func(a []any) any { return extremum(a, -1) }), "list")
	def("max", 1, -1, simple(func(a []any) any { return extremum(a, 1) }), "list")
	def("sum", 1, -1, simple(fnSum), "list")
	def("mean", 1, -1, simple(fnMean), "list")
	def("product", 1, -1, simple(fnProduct), "list")
	def("median", 1, -1, simple(fnMedian), "list")
	def("stddev", 1, -1, simple(fnStddev), "list")
	def("mode", 1, -1, simple(fnMode), "list")
	def("all", 1, -1, simple(fnAll), "list")
	def("any", 1, -1, simple(fnAny), "list")
	def("sublist", 2, 3, simple(fnSublist), "list,start position,length")
	def("append", 1, -1, func(_ *activation, a []any) (any, error) { return fnAppend(a) }, "list,item")
	def("concatenate", 0, -1, func(_ *activation, a []any) (any, error) { return fnConcatenate(a) }, "list")
	def("insert before", 3, 3, simple(fnInsertBefore), "list,position,newItem")
	def("remove", 2, 2, simple(fnRemove), "list,position")
	def("reverse", 1, 1, simple(fnReverse), "list")
	def("index of", 2, 2, simple(fnIndexOf), "list,match")
	def("union", 0, -1, func(_ *activation, a []any) (any, error) { return fnUnion(a) }, "list")
	def("distinct values", 1, 1, simple(fnDistinct), "list")
	def("duplicate values", 1, 1, simple(fnDuplicates), "list")
	def("flatten", 1, 1, func(_ *activation, a []any) (any, error) { return fnFlatten(a) }, "list")
	def("sort", 1, 2, simple(fnSort), "list,precedes")
	def("is empty", 1, 1, simple(func(a []any) any {
		l, ok := a[0].([]any)
		if !ok {
			return nil
		}
		return len(l) == 0
	}), "list")

	// Contexts.
	def("get value", 2, 2, simple(fnGetValue), "m,key")
	def("get entries", 1, 1, simple(fnGetEntries), "m")
	def("context put", 3, 3, simple(fnContextPut), "context,key,value")
	def("context merge", 1, -1, simple(fnContextMerge), "contexts")

	// Numbers.
	def("decimal", 2, 2, simple(rounding(roundHalfEven, true)), "n,scale")
	def("floor", 1, 2, simple(rounding(roundFloor, false)), "n,scale")
	def("ceiling", 1, 2, simple(rounding(roundCeiling, false)), "n,scale")
	def("round up", 2, 2, simple(rounding(roundUp, true)), "n,scale")
	def("round down", 2, 2, simple(rounding(roundDown, true)), "n,scale")
	def("round half up", 2, 2, simple(rounding(roundHalfUp, true)), "n,scale")
	def("round half down", 2, 2, simple(rounding(roundHalfDown, true)), "n,scale")
	def("abs", 1, 1, simple(func(a []any) any {
		switch x := a[0].(type) {
		case float64:
			return math.Abs(x)
		case Duration:
			if x < 0 {
				return opNeg(x)
			}
			return x
		case YearsMonths:
			if x < 0 {
				return -x
			}
			return x
		}
		return nil
	}), "n")
	def("modulo", 2, 2, simple(func(a []any) any {
		x, ok1 := num(a, 0)
		y, ok2 := num(a, 1)
		if !ok1 || !ok2 || y == 0 {
			return nil
		}
		return numResult(x - y*math.Floor(x/y))
	}), "dividend,divisor")
	def("sqrt", 1, 1, simple(numFunc(func(x float64) (float64, bool) { return math.Sqrt(x), x >= 0 })), "number")
	def("log", 1, 1, simple(numFunc(func(x float64) (float64, bool) { return math.Log(x), x > 0 })), "number")
	def("exp", 1, 1, simple(numFunc(func(x float64) (float64, bool) { return math.Exp(x), true })), "number")
	parity := func(want float64) func(a []any) any {
		return func(a []any) any {
			n, ok := integer(a, 0)
			if !ok {
				return nil
			}
			return math.Abs(float64(n%2)) == want
		}
	}
	def("odd", 1, 1, simple(parity(1)), "number")
	def("even", 1, 1, simple(parity(0)), "number")

	// Booleans and null.
	def("not", 1, 1, simple(func(a []any) any {
		b, ok := a[0].(bool)
		if !ok {
			return nil
		}
		return !b
	}), "negand")
	def("is defined", 1, 1, simple(func(a []any) any { return true }), "value")
	// assert(value, condition[, cause]) returns value, or fails the
	// evaluation (an incident) when condition is not true, as feel-scala does.
	def("assert", 2, 3, func(_ *activation, a []any) (any, error) {
		if ok, _ := a[1].(bool); ok {
			return a[0], nil
		}
		cause := "The condition is not fulfilled"
		if len(a) > 2 {
			if c, ok := a[2].(string); ok {
				cause = c
			}
		}
		return nil, &EvalError{Msg: "assertion failure: " + cause}
	}, "value,condition", "value,condition,cause")
	def("get or else", 2, 2, simple(func(a []any) any {
		if a[0] == nil {
			return a[1]
		}
		return a[0]
	}), "value,default")
}

// describeArity renders the number of arguments a function takes.
func (b *builtin) describeArity() string {
	switch {
	case b.max < 0:
		return fmt.Sprintf("at least %d", b.min)
	case b.min == b.max:
		return strconv.Itoa(b.min)
	}
	return fmt.Sprintf("%d to %d", b.min, b.max)
}
