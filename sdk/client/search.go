package client

import "strconv"

// Filter is the filter part of a search: one of the typed filters of this
// package (ProcessInstanceFilter, JobFilter, ...) or RawFilter.
type Filter interface {
	// Fields returns the filter as the wire's field → value map; a value
	// is a scalar (equality) or a Cond.
	Fields() map[string]any
}

// RawFilter is a filter written as the wire has it: field name → value
// (equality) or Cond (operators). It is the escape hatch for fields and
// operators the typed filters lack.
type RawFilter map[string]any

// Fields implements Filter.
func (f RawFilter) Fields() map[string]any { return f }

// Cond is an advanced filter condition on one field; set the operators
// you need. Keys must be given as strings (strconv.FormatInt), dates as
// RFC 3339 strings.
type Cond struct {
	Eq     any    `json:"$eq,omitempty"`
	Neq    any    `json:"$neq,omitempty"`
	Exists *bool  `json:"$exists,omitempty"`
	Gt     any    `json:"$gt,omitempty"`
	Gte    any    `json:"$gte,omitempty"`
	Lt     any    `json:"$lt,omitempty"`
	Lte    any    `json:"$lte,omitempty"`
	In     []any  `json:"$in,omitempty"`
	NotIn  []any  `json:"$notIn,omitempty"`
	Like   string `json:"$like,omitempty"`
}

// SortOrder is the direction of a sort field.
type SortOrder string

// Sort orders.
const (
	Ascending  SortOrder = "ASC"
	Descending SortOrder = "DESC"
)

// Sort is one sort field of a search.
type Sort struct {
	Field string    `json:"field"`
	Order SortOrder `json:"order,omitempty"`
}

// Page asks for one page of results: by offset (From) or by cursor (After
// or Before, from an earlier answer's PageInfo), never both.
type Page struct {
	From   int32  `json:"from,omitempty"`
	Limit  int32  `json:"limit,omitempty"`
	After  string `json:"after,omitempty"`
	Before string `json:"before,omitempty"`
}

// SearchQuery is a search request: a typed filter, extra raw conditions,
// sort fields and a page. The zero value finds the first 100 items.
type SearchQuery[F Filter] struct {
	// Filter is the typed filter; its zero value filters nothing.
	Filter F
	// Extra adds conditions the typed filter cannot express (operators,
	// fields it lacks); on the same field Extra wins.
	Extra RawFilter
	Sort  []Sort
	Page  *Page
}

// searchBody is the wire form of a search request.
type searchBody struct {
	Filter map[string]any `json:"filter,omitempty"`
	Sort   []Sort         `json:"sort,omitempty"`
	Page   *Page          `json:"page,omitempty"`
}

func (q SearchQuery[F]) body() searchBody {
	var fields map[string]any
	if f := any(q.Filter); f != nil {
		fields = q.Filter.Fields()
	}
	if len(q.Extra) > 0 {
		merged := make(map[string]any, len(fields)+len(q.Extra))
		for k, v := range fields {
			merged[k] = v
		}
		for k, v := range q.Extra {
			merged[k] = v
		}
		fields = merged
	}
	return searchBody{Filter: fields, Sort: q.Sort, Page: q.Page}
}

// SearchResult is one page of a search answer.
type SearchResult[T any] struct {
	Items []T      `json:"items"`
	Page  PageInfo `json:"page"`
}

// PageInfo describes the page of a search answer.
type PageInfo struct {
	// TotalItems counts every match, not only this page's.
	TotalItems        int64 `json:"totalItems"`
	HasMoreTotalItems bool  `json:"hasMoreTotalItems"`
	// StartCursor and EndCursor go into Page.Before and Page.After to get
	// the previous and the next page.
	StartCursor string `json:"startCursor"`
	EndCursor   string `json:"endCursor"`
}

// fields collects a typed filter's set fields.
type fields map[string]any

func (f fields) key(name string, k int64) {
	if k != 0 {
		f[name] = strconv.FormatInt(k, 10)
	}
}

func (f fields) str(name, s string) {
	if s != "" {
		f[name] = s
	}
}

func (f fields) int(name string, n int32) {
	if n != 0 {
		f[name] = n
	}
}

func (f fields) intPtr(name string, n *int32) {
	if n != nil {
		f[name] = *n
	}
}

func (f fields) boolean(name string, b *bool) {
	if b != nil {
		f[name] = *b
	}
}

// Ptr returns a pointer to v, for the optional fields of filters and
// requests: client.Ptr(true), client.Ptr(int32(3)).
func Ptr[T any](v T) *T { return &v }

// Interface guards
var _ Filter = RawFilter(nil)
