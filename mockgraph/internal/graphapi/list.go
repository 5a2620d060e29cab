package graphapi

import (
	"cmp"
	"encoding/json"
	"iter"
	"net/http"
	"slices"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/graphapi/odata"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// collection says how to list one entity set.
type collection[T any] struct {
	set    string
	schema *odata.Schema
	all    func(d *tenant.Directory) iter.Seq[*T]
	// index answers a filter from the directory's indexes when it pins an indexed property
	// (ok true: the candidates, which the filter still checks); nil or ok false: scan all.
	index   func(d *tenant.Directory, f odata.Node) (candidates []*T, ok bool)
	props   func(*T) odata.Getter
	visible func(*T) bool   // nil: every object
	render  func(*T) any    // nil: the object as stored
	name    func(*T) string // displayName, for $orderby; nil: not sortable
}

// consistencyEventual says whether a request opted into Graph's advanced queries ($count).
func consistencyEventual(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual")
}

// list answers a collection GET: filter, sort, count, one page and the link to the next.
func list[T any](a *API, w http.ResponseWriter, r *http.Request, c collection[T]) error {
	var orderable []string
	if c.name != nil {
		orderable = []string{"displayName"}
	}
	q, err := c.schema.ParseQuery(r.URL.Query(), consistencyEventual(r), orderable...)
	if err != nil {
		return err
	}
	// Without $count or $orderby one page and the knowledge that another follows are enough.
	enough := -1
	if !q.Count && q.OrderBy == "" {
		enough = q.Skip + q.Top + 1
	}
	var matches []*T
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		var cands iter.Seq[*T]
		if q.Filter != nil && c.index != nil {
			if hits, ok := c.index(d, q.Filter); ok {
				cands = slices.Values(hits)
			}
		}
		if cands == nil {
			cands = c.all(d)
		}
		for o := range cands {
			if o != nil && (c.visible == nil || c.visible(o)) && (q.Filter == nil || odata.Match(q.Filter, c.props(o))) && (q.Search == nil || q.Search.Match(c.props(o))) {
				matches = append(matches, o)
				if len(matches) == enough {
					break
				}
			}
		}
		return nil
	})
	if q.OrderBy != "" {
		slices.SortStableFunc(matches, func(x, y *T) int {
			n := cmp.Compare(strings.ToLower(c.name(x)), strings.ToLower(c.name(y)))
			if q.Desc {
				return -n
			}
			return n
		})
	}
	total := len(matches)
	start := min(q.Skip, total)
	end := min(start+q.Top, total)
	p := page{Context: contextURL(r, c.set, q.Select, false), Value: make([]json.RawMessage, 0, end-start)}
	if q.Count {
		p.Count = &total
	}
	if end < total {
		next := r.URL.Query()
		next.Set("$skiptoken", odata.SkipToken(end))
		p.NextLink = httpx.BaseURL(r) + r.URL.Path + "?" + next.Encode()
	}
	for _, o := range matches[start:end] {
		var v any = o
		if c.render != nil {
			v = c.render(o)
		}
		b, err := encode(v, q.Select)
		if err != nil {
			return err
		}
		p.Value = append(p.Value, b)
	}
	writePage(w, p)
	return nil
}

// one wraps a lookup result as index candidates.
func one[T any](v *T) ([]*T, bool) {
	if v == nil {
		return nil, true
	}
	return []*T{v}, true
}
