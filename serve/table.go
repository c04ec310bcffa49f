package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/profundo/profundo/datasets"
)

// tableRows reads the instances of a model trained on a table as raw table
// rows, the way predict reads a CSV: each instance a JSON object naming the
// feature columns ({"x1": 0.5, "color": "blue"}), or a list of the raw
// cells in the columns' order ([0.5, "blue"]). It returns ok false when
// the instances are encoded features instead (lists of numbers as long as
// the encoded features, which parseInstances reads).
func (s *Server) tableRows(list []byte, field string) (values []float64, rows int, ok bool, rerr *requestError) {
	var items []json.RawMessage
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, 0, false, nil // not a list of JSON values: parseInstances says what is wrong
	}
	if len(items) == 0 {
		return nil, 0, false, nil
	}
	cols := s.table.Columns
	if !s.isRawRow(items[0]) {
		return nil, 0, false, nil
	}
	if len(items) > s.opt.MaxBatch {
		return nil, 0, true, &requestError{code: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("the request has %d instances, the limit is %d per request; send them in smaller batches", len(items), s.opt.MaxBatch)}
	}
	t := &datasets.Table{Name: "request", Columns: make([]datasets.Column, len(cols))}
	for j, c := range cols {
		t.Columns[j] = datasets.Column{Name: c.Name, Kind: datasets.Categorical, Cells: make([]string, len(items)), Missing: make([]bool, len(items))}
	}
	for i, item := range items {
		cells, rerr := s.rawCells(item, i, field)
		if rerr != nil {
			return nil, 0, true, rerr
		}
		for j, cell := range cells {
			if cell == nil {
				t.Columns[j].Missing[i] = true
				continue
			}
			t.Columns[j].Cells[i] = *cell
		}
	}
	d, err := s.table.Transform(t)
	if err != nil {
		return nil, 0, true, badRequest("%q: %v; %s", field, strings.TrimPrefix(err.Error(), `table "request": `), s.expected())
	}
	return d.X.Data().([]float64), len(items), true, nil
}

// isRawRow says whether an instance is a raw table row: an object, or a
// list as long as the feature columns that is not a list of the encoded
// features (it holds a string, or its length is the columns' and not the
// features').
func (s *Server) isRawRow(item json.RawMessage) bool {
	item = bytes.TrimSpace(item)
	if len(item) == 0 {
		return false
	}
	switch item[0] {
	case '{':
		return true
	case '[':
		var cells []json.RawMessage
		if json.Unmarshal(item, &cells) != nil {
			return false
		}
		if len(cells) == len(s.table.Columns) && len(cells) != s.in.Size() {
			return true
		}
		for _, c := range cells {
			if c = bytes.TrimSpace(c); len(c) > 0 && c[0] == '"' {
				return true
			}
		}
	}
	return false
}

// rawCells returns instance i's cell for each feature column, nil where it
// is missing (null).
func (s *Server) rawCells(item json.RawMessage, i int, field string) ([]*string, *requestError) {
	cols := s.table.Columns
	cells := make([]*string, len(cols))
	item = bytes.TrimSpace(item)
	if len(item) > 0 && item[0] == '{' {
		var named map[string]json.RawMessage
		if err := json.Unmarshal(item, &named); err != nil {
			return nil, badRequest("%q: instance %d is not a JSON object of cells: %v; %s", field, i, err, s.expected())
		}
		index := make(map[string]int, len(cols))
		for j, c := range cols {
			index[c.Name] = j
		}
		for name, raw := range named {
			j, ok := index[name]
			if !ok {
				if name == s.table.Target {
					continue // the target, sent along: not a feature
				}
				return nil, badRequest("%q: instance %d names column %q, which the model does not take; %s", field, i, name, s.expected())
			}
			cell, rerr := cellText(raw, i, name, field)
			if rerr != nil {
				rerr.msg += "; " + s.expected()
				return nil, rerr
			}
			cells[j] = cell
		}
		for _, c := range cols {
			if _, ok := named[c.Name]; !ok {
				return nil, badRequest("%q: instance %d has no column %q (send null for a missing value); %s", field, i, c.Name, s.expected())
			}
		}
		return cells, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(item, &list); err != nil || len(list) != len(cols) {
		n := len(list)
		if err != nil {
			n = -1
		}
		what := fmt.Sprintf("%d cells", n)
		if n < 0 {
			what = "not a list of cells"
		}
		return nil, badRequest("%q: instance %d is %s, the model takes a row of %d; %s", field, i, what, len(cols), s.expected())
	}
	for j, raw := range list {
		cell, rerr := cellText(raw, i, cols[j].Name, field)
		if rerr != nil {
			rerr.msg += "; " + s.expected()
			return nil, rerr
		}
		cells[j] = cell
	}
	return cells, nil
}

// cellText is a JSON cell as the table reader would read it from a CSV: a
// string as it is (trimmed), a number as written, null as missing.
func cellText(raw json.RawMessage, i int, column, field string) (*string, *requestError) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	var text string
	switch {
	case len(raw) > 0 && raw[0] == '"':
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, badRequest("%q: instance %d, column %q: %v", field, i, column, err)
		}
		text = strings.TrimSpace(text)
	default:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, badRequest("%q: instance %d, column %q: %s is not a number, a string or null", field, i, column, raw)
		}
		text = n.String()
	}
	return &text, nil
}

// expected lists the feature columns a table model takes, for errors.
func (s *Server) expected() string {
	var parts []string
	for _, c := range s.table.Columns {
		switch {
		case c.OneHot != nil:
			parts = append(parts, strconv.Quote(c.Name)+": one of "+quoteAll(c.OneHot.Categories))
		case c.Ordinal != nil:
			parts = append(parts, strconv.Quote(c.Name)+": one of "+quoteAll(c.Ordinal.Categories))
		default:
			parts = append(parts, strconv.Quote(c.Name)+": a number")
		}
	}
	return "the model takes the columns {" + strings.Join(parts, ", ") + "} (null for a missing value), as an object per instance or a list in this order"
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// instances reads the request's instances: raw table rows for a model
// trained on a table when they are, else rows of the input's values (and
// then a table model's errors list the columns it takes as well).
func (s *Server) instances(list []byte, field string) ([]float64, int, *requestError) {
	if s.table == nil || s.table.Columns == nil {
		return s.parseInstances(list, field)
	}
	values, rows, ok, rerr := s.tableRows(list, field)
	if ok {
		return values, rows, rerr
	}
	values, rows, rerr = s.parseInstances(list, field)
	if rerr != nil && rerr.code == http.StatusBadRequest {
		rerr.msg += "; or send raw rows: " + s.expected()
	}
	return values, rows, rerr
}
