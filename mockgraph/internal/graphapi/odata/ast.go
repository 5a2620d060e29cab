// Package odata parses the OData query options Microsoft Graph accepts on directory collections
// ($filter, $select, $top, $skiptoken, $count, $orderby) and evaluates filters against objects.
package odata

import "time"

// Node is a parsed $filter expression.
type Node interface{ node() }

// LitKind is the type of a literal.
type LitKind int

// Literal kinds.
const (
	LitString LitKind = iota
	LitGUID
	LitBool
	LitNull
	LitNumber
	LitDate // a DateTimeOffset, written unquoted: 2026-01-02T03:04:05Z
)

// Literal is a constant in a filter.
type Literal struct {
	Kind LitKind
	Text string // the string, GUID or number as written (strings unescaped)
	Bool bool
	Time time.Time // LitDate's value
}

// Logical is `Left and Right` or `Left or Right`.
type Logical struct {
	Op          string // "and", "or"
	Left, Right Node
}

// Not is `not X`.
type Not struct{ X Node }

// Compare is `Prop op Value`, op one of eq, ne, gt, ge, lt, le.
type Compare struct {
	Prop  string
	Op    string
	Value Literal
}

// In is `Prop in (v1, v2, …)`.
type In struct {
	Prop   string
	Values []Literal
}

// Func is a string function over a property: startswith(Prop, Arg), endswith(Prop, Arg).
type Func struct {
	Name string
	Prop string
	Arg  Literal
}

// Lambda is `Prop/any(v: Pred)` or `Prop/all(v: Pred)`; inside Pred the property Var names one
// element of the collection Prop.
type Lambda struct {
	Op   string // "any", "all"
	Prop string
	Var  string
	Pred Node
}

func (Logical) node() {}
func (Not) node()     {}
func (Compare) node() {}
func (In) node()      {}
func (Func) node()    {}
func (Lambda) node()  {}
