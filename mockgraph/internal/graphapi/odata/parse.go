package odata

import (
	"regexp"
	"strings"
	"time"
)

// maxDepth bounds nesting so a hostile filter cannot exhaust the stack.
const maxDepth = 32

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var compareOps = map[string]bool{"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true}

var stringFuncs = map[string]bool{"startswith": true, "endswith": true}

// ParseFilter parses a $filter expression.
func ParseFilter(s string) (Node, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, syntaxErr(t.pos, "unexpected %s", describe(t))
	}
	return n, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
	vars  []string // lambda variables in scope
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) keyword(word string) bool {
	t := p.peek()
	if t.kind == tokWord && strings.EqualFold(t.text, word) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(kind tokenKind, what string) (token, error) {
	t := p.next()
	if t.kind != kind {
		return t, syntaxErr(t.pos, "expected %s, found %s", what, describe(t))
	}
	return t, nil
}

func describe(t token) string {
	if t.kind == tokEOF {
		return "end of expression"
	}
	return "'" + t.text + "'"
}

func (p *parser) or() (Node, error) {
	left, err := p.and()
	for err == nil && p.keyword("or") {
		var right Node
		if right, err = p.and(); err == nil {
			left = Logical{Op: "or", Left: left, Right: right}
		}
	}
	return left, err
}

func (p *parser) and() (Node, error) {
	left, err := p.unary()
	for err == nil && p.keyword("and") {
		var right Node
		if right, err = p.unary(); err == nil {
			left = Logical{Op: "and", Left: left, Right: right}
		}
	}
	return left, err
}

func (p *parser) unary() (Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, syntaxErr(p.peek().pos, "the expression nests deeper than %d levels", maxDepth)
	}
	if p.keyword("not") {
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (Node, error) {
	t := p.peek()
	if t.kind == tokOpen {
		p.next()
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tokClose, "')'"); err != nil {
			return nil, err
		}
		return n, nil
	}
	if t.kind != tokWord {
		return nil, syntaxErr(t.pos, "expected a property or function, found %s", describe(t))
	}
	if name := strings.ToLower(t.text); stringFuncs[name] && p.toks[p.i+1].kind == tokOpen {
		return p.function(name)
	}
	prop, err := p.path()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tokSlash {
		return p.lambda(prop)
	}
	op := p.next()
	if op.kind != tokWord {
		return nil, syntaxErr(op.pos, "expected an operator after '%s', found %s", prop, describe(op))
	}
	name := strings.ToLower(op.text)
	switch {
	case compareOps[name]:
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		return Compare{Prop: prop, Op: name, Value: v}, nil
	case name == "in":
		return p.in(prop)
	}
	return nil, syntaxErr(op.pos, "unknown operator '%s'", op.text)
}

// path reads a property name; segments separated by / name nested properties, except a final
// any/all, which the caller turns into a lambda.
func (p *parser) path() (string, error) {
	t, err := p.expect(tokWord, "a property")
	if err != nil {
		return "", err
	}
	if !isIdentifier(t.text) {
		return "", syntaxErr(t.pos, "'%s' is not a property name", t.text)
	}
	parts := []string{t.text}
	for p.peek().kind == tokSlash && p.toks[p.i+1].kind == tokWord && p.toks[p.i+2].kind != tokOpen {
		p.next()
		seg := p.next()
		if !isIdentifier(seg.text) {
			return "", syntaxErr(seg.pos, "'%s' is not a property name", seg.text)
		}
		parts = append(parts, seg.text)
	}
	return strings.Join(parts, "/"), nil
}

func isIdentifier(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' || s[0] == '-' || s[0] == '.' {
		return false
	}
	return !strings.ContainsAny(s, "-.$@")
}

func (p *parser) lambda(prop string) (Node, error) {
	p.next() // the slash
	op, err := p.expect(tokWord, "any or all")
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(op.text)
	if name != "any" && name != "all" {
		return nil, syntaxErr(op.pos, "expected any or all, found '%s'", op.text)
	}
	if _, err := p.expect(tokOpen, "'('"); err != nil {
		return nil, err
	}
	v, err := p.expect(tokWord, "a lambda variable")
	if err != nil {
		return nil, err
	}
	if !isIdentifier(v.text) {
		return nil, syntaxErr(v.pos, "'%s' is not a variable name", v.text)
	}
	if _, err := p.expect(tokColon, "':'"); err != nil {
		return nil, err
	}
	p.vars = append(p.vars, v.text)
	pred, err := p.or()
	p.vars = p.vars[:len(p.vars)-1]
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tokClose, "')'"); err != nil {
		return nil, err
	}
	return Lambda{Op: name, Prop: prop, Var: v.text, Pred: pred}, nil
}

func (p *parser) function(name string) (Node, error) {
	p.next()
	p.next() // the open parenthesis
	prop, err := p.path()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tokComma, "','"); err != nil {
		return nil, err
	}
	arg, err := p.literal()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tokClose, "')'"); err != nil {
		return nil, err
	}
	return Func{Name: name, Prop: prop, Arg: arg}, nil
}

func (p *parser) in(prop string) (Node, error) {
	if _, err := p.expect(tokOpen, "'('"); err != nil {
		return nil, err
	}
	var vals []Literal
	for {
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		t := p.next()
		if t.kind == tokClose {
			return In{Prop: prop, Values: vals}, nil
		}
		if t.kind != tokComma {
			return nil, syntaxErr(t.pos, "expected ',' or ')', found %s", describe(t))
		}
	}
}

func (p *parser) literal() (Literal, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return Literal{Kind: LitString, Text: t.text}, nil
	case tokWord:
		switch w := strings.ToLower(t.text); {
		case w == "true" || w == "false":
			return Literal{Kind: LitBool, Bool: w == "true", Text: w}, nil
		case w == "null":
			return Literal{Kind: LitNull, Text: w}, nil
		case guidPattern.MatchString(t.text):
			return Literal{Kind: LitGUID, Text: t.text}, nil
		case datePrefix.MatchString(t.text):
			return p.dateLiteral(t)
		case isNumber(t.text):
			return Literal{Kind: LitNumber, Text: t.text}, nil
		}
	}
	return Literal{}, syntaxErr(t.pos, "expected a literal, found %s", describe(t))
}

// datePrefix is how a DateTimeOffset literal starts; the lexer splits it at its colons.
var datePrefix = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T\d{2})?$`)

// dateLiteral joins a DateTimeOffset the lexer split at its colons and parses it (RFC 3339, as
// OData's DateTimeOffset; a bare date is midnight UTC).
func (p *parser) dateLiteral(first token) (Literal, error) {
	text := first.text
	for strings.Contains(text, "T") && p.peek().kind == tokColon && p.toks[p.i+1].kind == tokWord {
		p.next()
		text += ":" + p.next().text
	}
	layout := time.RFC3339Nano
	if !strings.Contains(text, "T") {
		layout = time.DateOnly
	}
	ts, err := time.Parse(layout, text)
	if err != nil {
		return Literal{}, syntaxErr(first.pos, "'%s' is not a valid DateTimeOffset", text)
	}
	return Literal{Kind: LitDate, Text: text, Time: ts}, nil
}

func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
