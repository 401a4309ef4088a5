package model

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

const (
	xmlDecl  = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	defsOpen = `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">` + "\n"
	minimal  = `<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process>` + "\n"
)

func TestParseRejectsXMLThatIsNotWellFormed(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"empty input", "", 1, "no root element"},
		{"only a declaration", xmlDecl, 2, "no root element"},
		{"mismatched end tag", xmlDecl + defsOpen + "<bpmn:process id=\"p\">\n</bpmn:definitions>", 4, "element <bpmn:process> closed by </bpmn:definitions>"},
		{"unclosed root at end of input", xmlDecl + defsOpen + minimal, 4, "element <bpmn:definitions> is not closed"},
		{"end tag without start", "</a>", 1, "unexpected end element </a>"},
		{"undeclared element prefix", xmlDecl + defsOpen + "<bpmn2:process id=\"p\" />\n</bpmn:definitions>", 3, "undeclared namespace prefix bpmn2 on element <bpmn2:process>"},
		{"undeclared attribute prefix", xmlDecl + defsOpen + "<bpmn:process id=\"p\" foo:bar=\"x\" />\n</bpmn:definitions>", 3, "undeclared namespace prefix foo on attribute foo:bar"},
		{"prefix used outside its declaration", xmlDecl + defsOpen + "<bpmn:process id=\"p\"><x:a xmlns:x=\"urn:x\" /><x:b /></bpmn:process>\n</bpmn:definitions>", 3, "undeclared namespace prefix x on element <x:b>"},
		{"duplicate attribute", xmlDecl + defsOpen + "<bpmn:process id=\"p\" id=\"q\" />\n</bpmn:definitions>", 3, "attribute id appears twice on element <bpmn:process>"},
		{"duplicate default namespace", `<definitions xmlns="urn:a" xmlns="urn:b" />`, 1, "attribute xmlns appears twice"},
		{"empty prefix declaration", `<definitions xmlns:a="" />`, 1, "namespace prefix a is declared empty"},
		{"rebinding the xml prefix", `<definitions xmlns:xml="urn:x" />`, 1, "namespace prefix xml cannot be bound to urn:x"},
		{"binding the xmlns prefix", `<definitions xmlns:xmlns="urn:x" />`, 1, "namespace prefix xmlns cannot be bound"},
		{"xml namespace as default", `<definitions xmlns="http://www.w3.org/XML/1998/namespace" />`, 1, "the xml namespace cannot be the default namespace"},
		{"attribute without value", "<definitions>\n<process id=\"p\" xx />\n</definitions>", 2, "attribute name without ="},
		{"invalid attribute name", `<definitions .color="green" />`, 1, "invalid XML name"},
		{"name with two colons", `<a:b:c xmlns:a="urn:a" />`, 1, "expected element name"},
		{"name with an empty prefix", `<:a />`, 1, "invalid element name :a"},
		{"attribute name with an empty local part", `<a b:="x" />`, 1, "invalid attribute name b:"},
		{"declaration without white space between pseudo-attributes", `<?xml version="1.0"encoding="UTF-8"?>` + "\n<a />", 1, "missing white space"},
		{"declaration without version", `<?xml encoding="UTF-8"?><a />`, 1, "must start with version"},
		{"declaration with unknown pseudo-attribute", `<?xml version="1.0" color="red"?><a />`, 1, `unexpected "color"`},
		{"declaration with pseudo-attributes out of order", `<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a />`, 1, `unexpected "encoding"`},
		{"declaration with unquoted value", `<?xml version=1.0?><a />`, 1, "malformed xml declaration"},
		{"declaration with unterminated value", `<?xml version="1.0?><a />`, 1, "malformed xml declaration"},
		{"declaration without equals sign", `<?xml version?><a />`, 1, "malformed xml declaration"},
		{"empty declaration", `<?xml ?><a />`, 1, "has no version"},
		{"declaration after a comment", "<!-- c -->\n" + xmlDecl + "<a />", 2, "misplaced xml declaration"},
		{"upper-case declaration", `<?XML version="1.0"?><a />`, 1, "misplaced xml declaration"},
		{"two root elements", "<a />\n<b />", 2, "more than one root element"},
		{"text after the root", "<a />\ntext", 2, "text outside the root element"},
		{"unsupported encoding", `<?xml version="1.0" encoding="EBCDIC"?><a />`, 1, `unsupported encoding "EBCDIC"`},
		{"undefined entity", xmlDecl + defsOpen + "<bpmn:process id=\"&nbsp;\" />\n</bpmn:definitions>", 3, "invalid character entity"},
		{"unterminated comment", xmlDecl + "<a><!-- c", 2, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defs, err := Parse(strings.NewReader(tt.src))
			if defs != nil || err == nil {
				t.Fatalf("Parse() = %v, %v; want an error", defs, err)
			}
			var probs Problems
			if !errors.As(err, &probs) || len(probs) != 1 {
				t.Fatalf("want exactly one problem, got %v", err)
			}
			if !errors.Is(err, ErrNotWellFormed) {
				t.Errorf("%v should wrap ErrNotWellFormed", err)
			}
			p := probs[0]
			if p.Line != tt.line || !strings.HasPrefix(p.Msg, "xml is not well-formed: ") || !strings.Contains(p.Msg, tt.msg) {
				t.Errorf("got %s; want line %d and a message containing %q", p, tt.line, tt.msg)
			}
		})
	}
}

func TestParseNestingDepthLimit(t *testing.T) {
	nested := func(depth int) string {
		var b strings.Builder
		b.WriteString(xmlDecl + defsOpen + `<bpmn:process id="p" isExecutable="true">` + "\n")
		for i := range depth {
			b.WriteString(`<bpmn:subProcess id="s` + itoa(i) + `">` + "\n")
		}
		for range depth {
			b.WriteString("</bpmn:subProcess>\n")
		}
		b.WriteString("</bpmn:process>\n</bpmn:definitions>\n")
		return b.String()
	}
	// definitions and process take two levels.
	defs, err := Parse(strings.NewReader(nested(maxDepth - 2)))
	if err != nil {
		t.Fatalf("nesting at the limit: %v", err)
	}
	deepest := defs.Process("p").Element("s" + itoa(maxDepth-3))
	if deepest == nil || deepest.Parent.ID != "s"+itoa(maxDepth-4) {
		t.Errorf("deepest subprocess = %+v", deepest)
	}
	_, err = Parse(strings.NewReader(nested(maxDepth - 1)))
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Line != maxDepth+2 || !strings.Contains(probs[0].Msg, "nested deeper than 500") {
		t.Errorf("nesting beyond the limit: %v", err)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestParseAcceptsXMLVariants(t *testing.T) {
	body := defsOpen + `<bpmn:process id="p" name="NAME" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process>` + "\n</bpmn:definitions>\n"
	tests := []struct {
		name     string
		src      []byte
		wantName string
	}{
		{"byte order mark", append([]byte("\uFEFF"), []byte(xmlDecl+strings.Replace(body, "NAME", "bom", 1))...), "bom"},
		{"no declaration", []byte(strings.Replace(body, "NAME", "plain", 1)), "plain"},
		{"single quotes and standalone", []byte(`<?xml version='1.0' encoding='utf-8' standalone='yes' ?>` + "\n" + strings.Replace(body, "NAME", "quoted", 1)), "quoted"},
		{"comments, processing instructions and doctype", []byte(xmlDecl + "<!-- exported -->\n<!DOCTYPE definitions>\n<?tool hint?>\n" + strings.Replace(body, "NAME", "extras", 1) + "<!-- end -->\n"), "extras"},
		{"ISO-8859-1", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n" + strings.Replace(body, "NAME", "Pr\xfcfung", 1)), "Prüfung"},
		{"windows-1252", []byte(`<?xml version="1.0" encoding="windows-1252"?>` + "\n" + strings.Replace(body, "NAME", "\x80 \x93q\x94 \x81", 1)), "€ “q” \u0081"},
		{"US-ASCII", []byte(`<?xml version="1.0" encoding="US-ASCII"?>` + "\n" + strings.Replace(body, "NAME", "ascii", 1)), "ascii"},
		{"entities and character references", []byte(xmlDecl + strings.Replace(body, "NAME", "a &amp; b &lt;&#34;&#x41;", 1)), `a & b <"A`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defs, err := Parse(bytes.NewReader(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := defs.Process("p").Name; got != tt.wantName {
				t.Errorf("name = %q, want %q", got, tt.wantName)
			}
		})
	}
}

func TestParseLongSingleByteDocument(t *testing.T) {
	// Enough multi-byte output to cross the decoder's read buffers.
	name := strings.Repeat("\xe9", 10000)
	src := `<?xml version="1.0" encoding="latin1"?>` + "\n" + strings.Replace(defsOpen+minimal+"</bpmn:definitions>", `id="s"`, `id="s" name="`+name+`"`, 1)
	defs, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := defs.Process("p").Element("s").Name; got != strings.Repeat("é", 10000) {
		t.Errorf("name has %d bytes", len(got))
	}
}

func TestParseIgnoresForeignAndUnknownContent(t *testing.T) {
	src := xmlDecl + `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:v="urn:vendor" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="d" modeler:executionPlatform="Camunda Cloud">
  <bpmn:collaboration id="c">
    <bpmn:participant id="pa" processRef="p" />
    <bpmn:messageFlow id="mf" sourceRef="pa" targetRef="pa" />
  </bpmn:collaboration>
  <bpmn:process id="p" isExecutable="1" v:flag="x">
    <bpmn:documentation>text</bpmn:documentation>
    <bpmn:ioSpecification id="io" />
    <bpmn:property id="prop" />
    <v:shape id="vendorNode" />
    <zeebe:userTaskForm />
    <bpmn:startEvent id="s" modeler:templateId="t">
      <bpmn:extensionElements>
        <v:anything><zeebe:taskDefinition type="not mine" /></v:anything>
      </bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:unknownFlowNode id="odd" />
    <bpmn:intermediateCatchEvent id="ref">
      <bpmn:eventDefinitionRef>tns:rootTimer</bpmn:eventDefinitionRef>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="selfRef">
      <bpmn:messageEventDefinition id="own" messageRef="tns:m" />
      <bpmn:eventDefinitionRef>own</bpmn:eventDefinitionRef>
    </bpmn:intermediateCatchEvent>
  </bpmn:process>
  <bpmn:timerEventDefinition id="rootTimer"><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition>
  <bpmn:message id="m" name="msg" />
  <v:root id="p2" />
</bpmn:definitions>`
	defs, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	p := defs.Process("p")
	if !p.Executable {
		t.Error(`isExecutable="1" is true`)
	}
	if got := elementIDs(p.Root.Children); strings.Join(got, ",") != "s,odd,ref,selfRef" {
		t.Errorf("children = %v", got)
	}
	if s := p.Element("s"); s.Task != nil {
		t.Error("zeebe elements nested in foreign elements are not extensions")
	}
	if odd := p.Element("odd"); odd.Kind != "unknownFlowNode" || odd.Type != "unknownFlowNode" {
		t.Errorf("unknown flow node = %q/%q", odd.Type, odd.Kind)
	}
	ref := p.Element("ref")
	if ref.Kind != KindTimerIntermediateCatchEvent || ref.Timer == nil || ref.Timer.Kind != TimerDuration {
		t.Errorf("eventDefinitionRef: kind %q timer %+v", ref.Kind, ref.Timer)
	}
	selfRef := p.Element("selfRef")
	if selfRef.Kind != KindMessageIntermediateCatchEvent || selfRef.Message != defs.Messages["m"] {
		t.Errorf("a reference to the event's own definition: kind %q message %v", selfRef.Kind, selfRef.Message)
	}
	if len(defs.Processes) != 1 {
		t.Errorf("processes = %d", len(defs.Processes))
	}
}

func TestIsCEL(t *testing.T) {
	tests := []struct {
		language string
		want     bool
	}{
		{"cel", true},
		{" CEL ", true},
		{"https://github.com/google/cel-spec", true},
		{"https://cel.dev", true},
		{"", false},
		{"feel", false},
		{"http://www.w3.org/1999/XPath", false},
		{"https://docs.camunda.io/feel", false},
	}
	for _, tt := range tests {
		if got := isCEL(tt.language); got != tt.want {
			t.Errorf("isCEL(%q) = %v, want %v", tt.language, got, tt.want)
		}
	}
}

func TestParseReportsReaderErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	src := io.MultiReader(strings.NewReader(xmlDecl+defsOpen), iotest.ErrReader(boom))
	defs, err := Parse(src)
	if defs != nil || !errors.Is(err, boom) || errors.Is(err, ErrNotWellFormed) {
		t.Fatalf("Parse() = %v, %v; want the reader's error, not a well-formedness problem", defs, err)
	}
	if !strings.Contains(err.Error(), "read input: disk on fire") {
		t.Errorf("error = %q", err)
	}
}

func TestParseReadsInSmallPieces(t *testing.T) {
	data := readFixture(t, "parallel.bpmn")
	defs, err := Parse(iotest.OneByteReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got := defs.Process("fanout").Element("join").Line; got != lineOf(t, data, `<bpmn:parallelGateway id="join"`) {
		t.Errorf("line = %d", got)
	}
}
