package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

// named is a model of several inputs or outputs, served in TF Serving's
// named forms: a request names every input, in the columnar form
// {"inputs": {"a": [...], "b": [...]}} (each a list of instances) or the
// row form {"instances": [{"a": ..., "b": ...}, ...]}; the answer names every
// output, {"outputs": {"y": [...], "z": [...]}} or {"predictions": [{"y":
// ..., "z": ...}, ...]}, or is the plain list of a model of one output.
type named struct {
	inNames, outNames []string
	ins, outs         []layers.Shape
}

func newNamed(m *models.Functional) *named {
	n := &named{outNames: m.OutputNames(), ins: m.InputShapes(), outs: m.OutputShapes()}
	for _, in := range m.Inputs() {
		n.inNames = append(n.inNames, in.Name())
	}
	return n
}

// zeros are rows rows of zeros for every input.
func (n *named) zeros(rows int) [][]float64 {
	z := make([][]float64, len(n.ins))
	for i, in := range n.ins {
		z[i] = make([]float64, rows*in.Size())
	}
	return z
}

// list names the inputs as a request must: {"a", "b"}.
func (n *named) list() string {
	q := make([]string, len(n.inNames))
	for i, s := range n.inNames {
		q[i] = strconv.Quote(s)
	}
	return "{" + strings.Join(q, ", ") + "}"
}

// byName checks that obj names every input and nothing else, and returns
// the values in the inputs' order; where says what obj is.
func (n *named) byName(obj map[string]json.RawMessage, where string) ([]json.RawMessage, *requestError) {
	out := make([]json.RawMessage, len(n.inNames))
	for i, name := range n.inNames {
		v, ok := obj[name]
		if !ok {
			return nil, badRequest("%s lacks the input %q; the model takes the inputs %s", where, name, n.list())
		}
		out[i] = v
	}
	if len(obj) != len(n.inNames) {
		var extra []string
		for k := range obj {
			if !n.hasInput(k) {
				extra = append(extra, strconv.Quote(k))
			}
		}
		sort.Strings(extra)
		return nil, badRequest("%s names %s, which the model does not take; its inputs are %s", where, strings.Join(extra, ", "), n.list())
	}
	return out, nil
}

func (n *named) hasInput(name string) bool {
	for _, s := range n.inNames {
		if s == name {
			return true
		}
	}
	return false
}

// answerNamed answers a predict request to a model of several inputs or
// outputs, whose body has been read.
func (s *Server) answerNamed(w http.ResponseWriter, r *http.Request, body []byte) int {
	var lists []json.RawMessage
	var key string
	var rerr *requestError
	if len(s.named.inNames) == 1 {
		// One input: the unnamed forms, or "inputs" naming it.
		var list json.RawMessage
		list, key, rerr = decodeRequest(body)
		lists = []json.RawMessage{list}
	} else {
		lists, key, rerr = s.decodeNamed(body)
	}
	if rerr != nil {
		return writeError(w, rerr.code, rerr.msg)
	}
	field := key2field(key)
	values := make([][]float64, len(lists))
	rows := -1
	for i, list := range lists {
		v, n, rerr := s.parseInstancesOf(list, field, s.named.ins[i])
		if rerr != nil {
			if len(lists) > 1 {
				rerr.msg = "the input " + strconv.Quote(s.named.inNames[i]) + ": " + rerr.msg
			}
			return writeError(w, rerr.code, rerr.msg)
		}
		if rows >= 0 && n != rows {
			return writeError(w, http.StatusBadRequest, fmt.Sprintf("%q has %d instances of the input %q but %d of %q; send as many of each",
				field, n, s.named.inNames[i], rows, s.named.inNames[0]))
		}
		values[i], rows = v, n
	}
	s.metrics.rows.observe(float64(rows), uint64(rows))

	ctx, cancel := context.WithTimeout(r.Context(), s.opt.RequestTimeout)
	defer cancel()
	rep, err := s.acquire(ctx)
	if err != nil {
		return s.writeContextError(w, r, "waiting for a free model replica (all "+strconv.Itoa(s.opt.Replicas)+" are busy)", err)
	}
	outs, err := func() ([][]float64, error) {
		defer s.release(rep) // even if the model panics
		return s.predictNamed(ctx, rep, values, rows)
	}()
	if err != nil {
		if ctx.Err() != nil {
			return s.writeContextError(w, r, "predicting", err)
		}
		s.logf("predict: %v", err)
		return writeError(w, http.StatusInternalServerError, "the model failed to predict: "+err.Error())
	}
	var b []byte
	if len(outs) == 1 {
		b, err = s.appendAnswer(nil, key, outs[0], rows)
	} else {
		b, err = s.appendNamedAnswer(nil, key, outs, rows)
	}
	if err != nil {
		s.logf("predict: %v", err)
		return writeError(w, http.StatusInternalServerError, err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(b); err != nil {
		s.logf("predict: writing the answer: %v", err)
	}
	return http.StatusOK
}

// decodeNamed parses a request to a model of several inputs into one JSON
// list of instances per input, in the inputs' order, and the key the answer
// goes under.
func (s *Server) decodeNamed(body []byte) ([]json.RawMessage, string, *requestError) {
	want := `send {"inputs": ` + s.named.exampleColumns() + `} or {"instances": [` + s.named.exampleColumns() + `, ...]}`
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, "", badRequest("the body is not valid JSON: %v (at byte %d)", syn, syn.Offset)
		}
		return nil, "", badRequest("the body is not a predict request (%v); %s", err, want)
	}
	switch {
	case req.Instances != nil && req.Inputs != nil:
		return nil, "", badRequest(`the body has both "instances" and "inputs"; send one`)
	case req.Inputs != nil:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(req.Inputs, &obj); err != nil || obj == nil {
			return nil, "", badRequest(`"inputs" must be an object naming the model's inputs %s; %s`, s.named.list(), want)
		}
		lists, rerr := s.named.byName(obj, `"inputs"`)
		return lists, "outputs", rerr
	case req.Instances != nil:
		var rows []json.RawMessage
		if err := json.Unmarshal(req.Instances, &rows); err != nil {
			return nil, "", badRequest(`"instances" must be a list of objects naming the model's inputs %s; %s`, s.named.list(), want)
		}
		if len(rows) == 0 {
			return nil, "", badRequest(`"instances" is empty; send at least one instance`)
		}
		if len(rows) > s.opt.MaxBatch {
			return nil, "", &requestError{code: http.StatusRequestEntityTooLarge,
				msg: fmt.Sprintf("the request has %d instances, the limit is %d per request; send them in smaller batches", len(rows), s.opt.MaxBatch)}
		}
		cols := make([][]byte, len(s.named.inNames))
		for i := range cols {
			cols[i] = []byte{'['}
		}
		for r, raw := range rows {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
				return nil, "", badRequest(`instance %d is not an object naming the model's inputs %s; %s`, r, s.named.list(), want)
			}
			vals, rerr := s.named.byName(obj, "instance "+strconv.Itoa(r))
			if rerr != nil {
				return nil, "", rerr
			}
			for i, v := range vals {
				if r > 0 {
					cols[i] = append(cols[i], ',')
				}
				cols[i] = append(cols[i], v...)
			}
		}
		lists := make([]json.RawMessage, len(cols))
		for i := range cols {
			lists[i] = append(cols[i], ']')
		}
		return lists, "predictions", nil
	}
	return nil, "", badRequest(`the body has neither "inputs" nor "instances"; %s`, want)
}

// exampleColumns is {"a": [...], "b": [...]} for the model's inputs.
func (n *named) exampleColumns() string {
	parts := make([]string, len(n.inNames))
	for i, s := range n.inNames {
		parts[i] = strconv.Quote(s) + ": [...]"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// predictNamed runs rows rows of each input's values on replica r, in
// chunks as predict does, and returns each output's values.
func (s *Server) predictNamed(ctx context.Context, r *models.Functional, values [][]float64, rows int) ([][]float64, error) {
	n := s.named
	outs := make([][]float64, len(n.outs))
	for from := 0; from < rows; from += s.chunk {
		k := min(rows-from, s.chunk)
		batch := s.paddedBatch(k)
		xs := make([]*tensor.Dense, len(n.ins))
		for i, in := range n.ins {
			size := in.Size()
			x := tensor.New(tensor.Of(s.dtype), tensor.WithShape(in.WithBatch(batch)...))
			chunk := values[i][from*size : (from+k)*size]
			switch d := x.Data().(type) {
			case []float32:
				for j, v := range chunk {
					d[j] = float32(v)
				}
			case []float64:
				copy(d, chunk)
			}
			xs[i] = x
		}
		ys, err := r.Predict(ctx, xs)
		if err != nil {
			return nil, err
		}
		if len(ys) != len(n.outs) {
			return nil, errors.Errorf("the model gave %d outputs, want %d", len(ys), len(n.outs))
		}
		for o, y := range ys {
			size := n.outs[o].Size()
			switch d := y.Data().(type) {
			case []float32:
				for _, v := range d[:k*size] {
					outs[o] = append(outs[o], float64(v))
				}
			case []float64:
				outs[o] = append(outs[o], d[:k*size]...)
			default:
				return nil, errors.Errorf("the model's output %q is %T, want float32 or float64 values", n.outNames[o], y.Data())
			}
		}
	}
	return outs, nil
}

// appendNamedAnswer appends the JSON answer of several outputs: by name
// then instance under "outputs", by instance then name under
// "predictions".
func (s *Server) appendNamedAnswer(b []byte, key string, outs [][]float64, rows int) ([]byte, error) {
	n := s.named
	bits := 32
	if s.dtype == tensor.Float64 {
		bits = 64
	}
	names := make([][]byte, len(n.outNames))
	for o, name := range n.outNames {
		names[o], _ = json.Marshal(name) // a string always marshals
		for i, v := range outs[o] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errors.Errorf("the model's output %q for instance %d is not finite (%v); the input may be out of the range it was trained on", name, i/n.outs[o].Size(), v)
			}
		}
	}
	row := func(o, i int) []float64 {
		size := n.outs[o].Size()
		return outs[o][i*size : (i+1)*size]
	}
	b = append(b, `{"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	if key == "outputs" {
		b = append(b, '{')
		for o := range n.outNames {
			if o > 0 {
				b = append(b, ',')
			}
			b = append(b, names[o]...)
			b = append(b, ":["...)
			for i := 0; i < rows; i++ {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendNested(b, row(o, i), n.outs[o], bits)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	} else {
		b = append(b, '[')
		for i := 0; i < rows; i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			for o := range n.outNames {
				if o > 0 {
					b = append(b, ',')
				}
				b = append(b, names[o]...)
				b = append(b, ':')
				b = appendNested(b, row(o, i), n.outs[o], bits)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...), nil
}
