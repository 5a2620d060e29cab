package odata

import (
	"strings"
	"time"
)

// Getter returns a property's value for one object: a string, a *string (nil for null), a bool,
// a time.Time or a []string. Property names are the schema's canonical ones.
type Getter func(prop string) any

// Match evaluates a checked filter against one object. Directory string comparisons ignore case,
// as Microsoft Graph's do.
func Match(n Node, get Getter) bool { return match(n, get, "", "") }

func match(n Node, get Getter, lambdaVar, elem string) bool {
	value := func(prop string) any {
		if lambdaVar != "" && prop == lambdaVar {
			return elem
		}
		return get(prop)
	}
	switch n := n.(type) {
	case Logical:
		if n.Op == "and" {
			return match(n.Left, get, lambdaVar, elem) && match(n.Right, get, lambdaVar, elem)
		}
		return match(n.Left, get, lambdaVar, elem) || match(n.Right, get, lambdaVar, elem)
	case Not:
		return !match(n.X, get, lambdaVar, elem)
	case Compare:
		if t, ok := value(n.Prop).(time.Time); ok && n.Value.Kind == LitDate {
			return compareTime(t.Compare(n.Value.Time), n.Op)
		}
		eq := equal(value(n.Prop), n.Value)
		if n.Op == "ne" {
			return !eq
		}
		return eq
	case In:
		v := value(n.Prop)
		for _, lit := range n.Values {
			if equal(v, lit) {
				return true
			}
		}
		return false
	case Func:
		s, ok := str(value(n.Prop))
		if !ok {
			return false
		}
		s, arg := strings.ToLower(s), strings.ToLower(n.Arg.Text)
		if n.Name == "startswith" {
			return strings.HasPrefix(s, arg)
		}
		return strings.HasSuffix(s, arg)
	case Lambda:
		list, _ := get(n.Prop).([]string)
		for _, e := range list {
			if match(n.Pred, get, n.Var, e) {
				return true
			}
		}
		return false
	}
	return false
}

func compareTime(c int, op string) bool {
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func str(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case *string:
		if v != nil {
			return *v, true
		}
	}
	return "", false
}

func equal(v any, lit Literal) bool {
	switch lit.Kind {
	case LitNull:
		p, isPtr := v.(*string)
		return isPtr && p == nil
	case LitBool:
		b, ok := v.(bool)
		return ok && b == lit.Bool
	}
	s, ok := str(v)
	return ok && strings.EqualFold(s, lit.Text)
}

// EqualityKey finds a term `prop eq 'value'` (or, for a collection, `prop/any(x: x eq 'value')`)
// that every match must satisfy: the whole filter, or one side of a top-level `and`. Callers use
// it to answer from an index instead of scanning, then still Match the candidates.
func EqualityKey(n Node, prop string) (string, bool) {
	switch n := n.(type) {
	case Compare:
		if n.Op == "eq" && strings.EqualFold(n.Prop, prop) && (n.Value.Kind == LitString || n.Value.Kind == LitGUID) {
			return n.Value.Text, true
		}
	case Lambda:
		if c, ok := n.Pred.(Compare); ok && n.Op == "any" && strings.EqualFold(n.Prop, prop) && c.Prop == n.Var && c.Op == "eq" {
			return c.Value.Text, true
		}
	case Logical:
		if n.Op == "and" {
			if v, ok := EqualityKey(n.Left, prop); ok {
				return v, true
			}
			return EqualityKey(n.Right, prop)
		}
	}
	return "", false
}
