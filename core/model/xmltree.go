package model

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces the parser reads.
const (
	nsBPMN  = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	nsZeebe = "http://camunda.org/schema/zeebe/1.0"
	nsXML   = "http://www.w3.org/XML/1998/namespace"
)

// maxDepth is how deeply elements may nest before Parse gives up.
const maxDepth = 500

// node is one XML element with its namespaces resolved.
type node struct {
	space, local string // namespace URI and local name
	attrs        []attr
	parent       *node
	children     []*node
	text         []byte // character data directly inside the element, concatenated
	line         int    // line of the '<' that opens the element
}

// attr is one attribute with its namespace resolved ("" for unprefixed ones).
type attr struct {
	space, local, value string
}

// is reports whether n is the element local in namespace space.
func (n *node) is(space, local string) bool { return n.space == space && n.local == local }

// attr returns the value of the unprefixed attribute local, and whether it is present.
func (n *node) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.space == "" && a.local == local {
			return a.value, true
		}
	}
	return "", false
}

// get returns the value of the unprefixed attribute local, or "".
func (n *node) get(local string) string {
	v, _ := n.attr(local)
	return v
}

// xmlError is a well-formedness error at a line, or the error of the
// reader itself (read).
type xmlError struct {
	line int
	msg  string
	read error
}

// malformed returns the error for a document that is not well-formed.
func malformed(line int, msg string) *xmlError { return &xmlError{line: line, msg: msg} }

// recordingReader remembers the first error of the reader other than io.EOF,
// so that a failing reader is not mistaken for a malformed document.
type recordingReader struct {
	r   io.Reader
	err error
}

func (rr *recordingReader) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// treeReader turns the raw token stream into nodes. It does the namespace
// processing itself, because encoding/xml silently accepts undeclared
// prefixes and duplicate attributes, and does not check that end tags match
// when reading raw tokens.
type treeReader struct {
	d        *xml.Decoder
	bindings map[string][]string // namespace URIs by prefix ("" is the default), innermost last
	stack    []*node
	declared [][]string // prefixes declared by each open element
	names    []string   // raw names of the open elements, for end-tag matching
	root     *node
	prolog   bool // nothing but a byte order mark has been read so far
}

// readTree reads one XML document into a tree of nodes.
func readTree(r io.Reader) (*node, *xmlError) {
	rr := &recordingReader{r: r}
	d := xml.NewDecoder(rr)
	d.Strict = true
	d.CharsetReader = charsetReader
	t := &treeReader{d: d, bindings: map[string][]string{}, prolog: true}
	for {
		line, _ := d.InputPos()
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if rr.err != nil {
			return nil, &xmlError{line: line, msg: rr.err.Error(), read: rr.err}
		}
		if err != nil {
			return nil, t.decodeError(err)
		}
		if xe := t.token(tok, line); xe != nil {
			return nil, xe
		}
	}
	line, _ := d.InputPos()
	if len(t.stack) > 0 {
		return nil, malformed(line, fmt.Sprintf("unexpected end of input: element <%s> is not closed", t.names[len(t.names)-1]))
	}
	if t.root == nil {
		return nil, malformed(line, "no root element")
	}
	return t.root, nil
}

// decodeError turns an error of the decoder into an xmlError with a line.
func (t *treeReader) decodeError(err error) *xmlError {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &xmlError{line: se.Line, msg: se.Msg}
	}
	line, _ := t.d.InputPos()
	return &xmlError{line: line, msg: strings.TrimPrefix(err.Error(), "xml: ")}
}

func (t *treeReader) token(tok xml.Token, line int) *xmlError {
	prolog := t.prolog
	t.prolog = false
	switch tok := tok.(type) {
	case xml.StartElement:
		return t.start(tok, line)
	case xml.EndElement:
		return t.end(tok, line)
	case xml.CharData:
		if len(t.stack) > 0 {
			n := t.stack[len(t.stack)-1]
			n.text = append(n.text, tok...)
			return nil
		}
		text := []byte(tok)
		if prolog && bytes.Equal(text, []byte("\uFEFF")) {
			t.prolog = true
			return nil
		}
		if trimmed := bytes.TrimLeft(text, " \t\r\n"); len(trimmed) > 0 {
			line += bytes.Count(text[:len(text)-len(trimmed)], []byte("\n"))
			return malformed(line, "text outside the root element")
		}
	case xml.ProcInst:
		if strings.EqualFold(tok.Target, "xml") {
			if !prolog || tok.Target != "xml" {
				return malformed(line, "misplaced xml declaration")
			}
			if msg := checkXMLDecl(string(tok.Inst)); msg != "" {
				return malformed(line, msg)
			}
		}
	}
	return nil
}

func (t *treeReader) start(se xml.StartElement, line int) *xmlError {
	if len(t.stack) == 0 && t.root != nil {
		return malformed(line, "more than one root element")
	}
	if len(t.stack) >= maxDepth {
		return malformed(line, fmt.Sprintf("elements nested deeper than %d levels", maxDepth))
	}
	raw := rawName(se.Name)
	var declared []string
	declare := func(prefix, uri string) {
		t.bindings[prefix] = append(t.bindings[prefix], uri)
		declared = append(declared, prefix)
	}

	seen := make(map[string]bool, len(se.Attr))
	for _, a := range se.Attr {
		name := rawName(a.Name)
		if seen[name] {
			return malformed(line, fmt.Sprintf("attribute %s appears twice on element <%s>", name, raw))
		}
		seen[name] = true
		if !validName(a.Name) {
			return malformed(line, fmt.Sprintf("invalid attribute name %s", name))
		}
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if a.Value == nsXML {
				return malformed(line, "the xml namespace cannot be the default namespace")
			}
			declare("", a.Value)
		case a.Name.Space == "xmlns":
			if a.Value == "" {
				return malformed(line, fmt.Sprintf("namespace prefix %s is declared empty", a.Name.Local))
			}
			if a.Name.Local == "xmlns" || (a.Name.Local == "xml") != (a.Value == nsXML) {
				return malformed(line, fmt.Sprintf("namespace prefix %s cannot be bound to %s", a.Name.Local, a.Value))
			}
			declare(a.Name.Local, a.Value)
		}
	}
	if !validName(se.Name) {
		return malformed(line, fmt.Sprintf("invalid element name %s", raw))
	}
	space, ok := t.resolve(se.Name.Space, true)
	if !ok {
		return malformed(line, fmt.Sprintf("undeclared namespace prefix %s on element <%s>", se.Name.Space, raw))
	}
	n := &node{space: space, local: se.Name.Local, line: line}
	if len(t.stack) > 0 {
		n.parent = t.stack[len(t.stack)-1]
	}
	for _, a := range se.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		as := ""
		if a.Name.Space != "" {
			as, ok = t.resolve(a.Name.Space, false)
			if !ok {
				return malformed(line, fmt.Sprintf("undeclared namespace prefix %s on attribute %s", a.Name.Space, rawName(a.Name)))
			}
		}
		n.attrs = append(n.attrs, attr{space: as, local: a.Name.Local, value: a.Value})
	}
	if n.parent == nil {
		t.root = n
	} else {
		n.parent.children = append(n.parent.children, n)
	}
	t.stack = append(t.stack, n)
	t.declared = append(t.declared, declared)
	t.names = append(t.names, raw)
	return nil
}

func (t *treeReader) end(ee xml.EndElement, line int) *xmlError {
	raw := rawName(ee.Name)
	if len(t.stack) == 0 {
		return malformed(line, fmt.Sprintf("unexpected end element </%s>", raw))
	}
	open := t.names[len(t.names)-1]
	if open != raw {
		return malformed(line, fmt.Sprintf("element <%s> closed by </%s>", open, raw))
	}
	for _, prefix := range t.declared[len(t.declared)-1] {
		uris := t.bindings[prefix]
		t.bindings[prefix] = uris[:len(uris)-1]
	}
	t.declared = t.declared[:len(t.declared)-1]
	t.names = t.names[:len(t.names)-1]
	t.stack = t.stack[:len(t.stack)-1]
	return nil
}

// resolve maps a prefix to its namespace URI. An empty prefix means the
// default namespace for elements and no namespace for attributes.
func (t *treeReader) resolve(prefix string, element bool) (string, bool) {
	if prefix == "" && !element {
		return "", true
	}
	if prefix == "xml" {
		return nsXML, true
	}
	if uris := t.bindings[prefix]; len(uris) > 0 {
		return uris[len(uris)-1], true
	}
	return "", prefix == ""
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// validName reports whether both parts of a raw name are NCNames.
func validName(n xml.Name) bool {
	if n.Space != "" && !isNCName(n.Space) {
		return false
	}
	return isNCName(n.Local)
}

// isNCName reports whether s can be one part of a qualified name. The
// decoder has already checked the characters; what is left is the colon.
func isNCName(s string) bool {
	return s != "" && !strings.Contains(s, ":")
}

// checkXMLDecl checks the pseudo-attributes of an xml declaration
// (`version="1.0" encoding="UTF-8" standalone="yes"`) and returns what is
// wrong with them, or "".
func checkXMLDecl(s string) string {
	order := []string{"version", "encoding", "standalone"}
	next := 0
	for i := 0; ; i++ {
		rest := strings.TrimLeft(s, " \t\r\n")
		if rest == "" {
			break
		}
		if i > 0 && len(rest) == len(s) {
			return "missing white space between the pseudo-attributes of the xml declaration"
		}
		s = rest
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return "malformed xml declaration"
		}
		name := strings.TrimRight(s[:eq], " \t\r\n")
		s = strings.TrimLeft(s[eq+1:], " \t\r\n")
		if s == "" || (s[0] != '"' && s[0] != '\'') {
			return "malformed xml declaration"
		}
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "malformed xml declaration"
		}
		s = s[end+2:]
		for next < len(order) && order[next] != name {
			if next == 0 {
				return "the xml declaration must start with version"
			}
			next++
		}
		if next == len(order) {
			return fmt.Sprintf("unexpected %q in the xml declaration", name)
		}
		next++
	}
	if next == 0 {
		return "the xml declaration has no version"
	}
	return ""
}
