package search

import "strings"

// likeToken is one piece of a Camunda $like pattern.
type likeToken struct {
	any, one bool // * or ?
	lit      rune
}

// parseLike splits a Camunda pattern: * matches any run of characters, ?
// one character, and a backslash makes the next character literal.
func parseLike(p string) []likeToken {
	var out []likeToken
	escaped := false
	for _, r := range p {
		switch {
		case escaped:
			out = append(out, likeToken{lit: r})
			escaped = false
		case r == '\\':
			escaped = true
		case r == '*':
			out = append(out, likeToken{any: true})
		case r == '?':
			out = append(out, likeToken{one: true})
		default:
			out = append(out, likeToken{lit: r})
		}
	}
	if escaped {
		out = append(out, likeToken{lit: '\\'})
	}
	return out
}

// LikePattern translates a Camunda pattern into a SQL LIKE pattern whose
// escape character is a backslash.
func LikePattern(p string) string {
	var b strings.Builder
	for _, t := range parseLike(p) {
		switch {
		case t.any:
			b.WriteByte('%')
		case t.one:
			b.WriteByte('_')
		case t.lit == '%' || t.lit == '_' || t.lit == '\\':
			b.WriteByte('\\')
			b.WriteRune(t.lit)
		default:
			b.WriteRune(t.lit)
		}
	}
	return b.String()
}

// GlobPattern translates a Camunda pattern into an SQLite GLOB pattern,
// which is case-sensitive like Camunda's.
func GlobPattern(p string) string {
	var b strings.Builder
	for _, t := range parseLike(p) {
		switch {
		case t.any:
			b.WriteByte('*')
		case t.one:
			b.WriteByte('?')
		case t.lit == '*' || t.lit == '?' || t.lit == '[':
			b.WriteByte('[')
			b.WriteRune(t.lit)
			b.WriteByte(']')
		default:
			b.WriteRune(t.lit)
		}
	}
	return b.String()
}

// matchLike reports whether s matches the parsed pattern. It backtracks
// only to the last *, so it runs in O(len(s)*len(pat)).
func matchLike(s string, pat []likeToken) bool {
	rs := []rune(s)
	i, j := 0, 0
	star, mark := -1, 0
	for i < len(rs) {
		switch {
		case j < len(pat) && !pat[j].any && (pat[j].one || pat[j].lit == rs[i]):
			i++
			j++
		case j < len(pat) && pat[j].any:
			star, mark = j, i
			j++
		case star >= 0:
			mark++
			i, j = mark, star+1
		default:
			return false
		}
	}
	for j < len(pat) && pat[j].any {
		j++
	}
	return j == len(pat)
}
