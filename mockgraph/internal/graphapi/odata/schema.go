package odata

import "strings"

// Kind is the type of a filterable property.
type Kind int

// Property kinds.
const (
	KindString     Kind = iota // also GUIDs, compared as strings
	KindBool                   // true/false
	KindStrings                // a collection of strings (any/all lambdas only)
	KindNullString             // a string that may be null
	KindDate                   // a DateTimeOffset: eq, ne, ge, gt, le, lt
)

// Schema says which properties of one entity type a filter may use, and how.
type Schema struct {
	Entity string          // Graph type name, e.g. "application"
	Props  map[string]Kind // property name (case-insensitive) → kind
	// All lists every property of the type (for $select), by exact Graph name.
	All []string
}

func (s *Schema) kind(prop string) (Kind, string, bool) {
	for name, k := range s.Props {
		if strings.EqualFold(name, prop) {
			return k, name, true
		}
	}
	return 0, "", false
}

// known reports whether prop names a property of the type at all.
func (s *Schema) known(prop string) bool {
	_, ok := s.canonical(prop)
	return ok
}

// Check validates a filter against the schema: unknown properties, properties Graph cannot
// filter on, and operators or literals that do not fit a property's kind are refused as Graph
// refuses them. It also rewrites property names to their canonical spelling.
func (s *Schema) Check(n Node) (Node, error) { return s.check(n, "") }

func (s *Schema) check(n Node, lambdaVar string) (Node, error) {
	switch n := n.(type) {
	case Logical:
		l, err := s.check(n.Left, lambdaVar)
		if err != nil {
			return nil, err
		}
		r, err := s.check(n.Right, lambdaVar)
		if err != nil {
			return nil, err
		}
		return Logical{Op: n.Op, Left: l, Right: r}, nil
	case Not:
		x, err := s.check(n.X, lambdaVar)
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	case Compare:
		prop, err := s.scalar(n.Prop, lambdaVar)
		if err != nil {
			return nil, err
		}
		k, _, _ := s.kind(prop)
		if (n.Op != "eq" && n.Op != "ne" && k != KindDate) || !s.fits(prop, lambdaVar, n.Value) {
			return nil, unsupported(n.Prop, s.typeName())
		}
		n.Prop = prop
		return n, nil
	case In:
		prop, err := s.scalar(n.Prop, lambdaVar)
		if err != nil {
			return nil, err
		}
		for _, v := range n.Values {
			if !s.fits(prop, lambdaVar, v) {
				return nil, unsupported(n.Prop, s.typeName())
			}
		}
		n.Prop = prop
		return n, nil
	case Func:
		prop, err := s.scalar(n.Prop, lambdaVar)
		if err != nil {
			return nil, err
		}
		if n.Arg.Kind != LitString || (prop != lambdaVar && !s.isString(prop)) {
			return nil, unsupported(n.Prop, s.typeName())
		}
		n.Prop = prop
		return n, nil
	case Lambda:
		if lambdaVar != "" {
			return nil, unsupported(n.Prop, s.typeName())
		}
		k, name, ok := s.kind(n.Prop)
		if !ok {
			return nil, s.missing(n.Prop)
		}
		if k != KindStrings || n.Op != "any" {
			return nil, unsupported(n.Prop, s.typeName())
		}
		pred, err := s.check(n.Pred, n.Var)
		if err != nil {
			return nil, err
		}
		return Lambda{Op: n.Op, Prop: name, Var: n.Var, Pred: pred}, nil
	}
	return nil, &Error{Code: CodeBadRequest, Message: "Invalid filter clause."}
}

// scalar resolves a property used as a single value: the lambda variable, or a string/bool
// property of the type.
func (s *Schema) scalar(prop, lambdaVar string) (string, error) {
	if lambdaVar != "" && prop == lambdaVar {
		return prop, nil
	}
	k, name, ok := s.kind(prop)
	if !ok {
		return "", s.missing(prop)
	}
	if k == KindStrings {
		return "", unsupported(prop, s.typeName())
	}
	return name, nil
}

func (s *Schema) missing(prop string) error {
	if s.known(prop) {
		return unsupported(prop, s.typeName())
	}
	return unknownProperty(prop, s.Entity)
}

func (s *Schema) isString(prop string) bool {
	k, _, _ := s.kind(prop)
	return k == KindString || k == KindNullString
}

func (s *Schema) fits(prop, lambdaVar string, v Literal) bool {
	if prop == lambdaVar {
		return v.Kind == LitString || v.Kind == LitGUID
	}
	k, _, _ := s.kind(prop)
	switch k {
	case KindBool:
		return v.Kind == LitBool
	case KindNullString:
		return v.Kind == LitString || v.Kind == LitGUID || v.Kind == LitNull
	case KindDate:
		return v.Kind == LitDate
	default:
		return v.Kind == LitString || v.Kind == LitGUID
	}
}

// typeName is the entity name as Graph's filter errors spell it ("Application").
func (s *Schema) typeName() string {
	if s.Entity == "" {
		return ""
	}
	return strings.ToUpper(s.Entity[:1]) + s.Entity[1:]
}
