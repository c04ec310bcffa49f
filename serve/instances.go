package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// requestError is a client's mistake: the status to answer and why.
type requestError struct {
	code int
	msg  string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) *requestError {
	return &requestError{code: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// request is the body of a predict request, TF Serving's row ("instances")
// or columnar ("inputs") form.
type request struct {
	Instances json.RawMessage `json:"instances"`
	Inputs    json.RawMessage `json:"inputs"`
	// SignatureName is TF Serving's; a Profundo model has one signature, so
	// it is accepted and not used.
	SignatureName string `json:"signature_name"`
}

// decodeRequest parses body into the JSON list of instances and the key the
// answer goes under: "predictions" for "instances", "outputs" for "inputs".
func decodeRequest(body []byte) (list json.RawMessage, key string, rerr *requestError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, "", badRequest(`the body is empty; send {"instances": [[...], ...]}`)
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, "", badRequest("the body is not valid JSON: %v (at byte %d)", syn, syn.Offset)
		case errors.As(err, &typ) && typ.Field == "":
			return nil, "", badRequest(`the body must be a JSON object {"instances": [[...], ...]}, got a JSON %s`, typ.Value)
		default:
			return nil, "", badRequest("the body is not a predict request: %v", err)
		}
	}
	switch {
	case req.Instances != nil && req.Inputs != nil:
		return nil, "", badRequest(`the body has both "instances" and "inputs"; send one`)
	case req.Instances != nil:
		return req.Instances, "predictions", nil
	case req.Inputs != nil:
		in, rerr := columnar(req.Inputs)
		return in, "outputs", rerr
	}
	return nil, "", badRequest(`the body has no "instances"; send {"instances": [[...], ...]}`)
}

// columnar returns the tensor of TF Serving's "inputs": the value itself, or
// the one value of an object naming it.
func columnar(raw json.RawMessage) (json.RawMessage, *requestError) {
	sc := scanner{b: raw}
	sc.skipSpace()
	if sc.peek() != '{' {
		return raw, nil
	}
	var named map[string]json.RawMessage
	if err := json.Unmarshal(raw, &named); err != nil {
		return nil, badRequest(`"inputs": %v`, err)
	}
	if len(named) != 1 {
		names := make([]string, 0, len(named))
		for k := range named {
			names = append(names, strconv.Quote(k))
		}
		return nil, badRequest(`"inputs" names %d inputs {%s}; the model takes one`, len(named), strings.Join(names, ", "))
	}
	for _, v := range named {
		return v, nil
	}
	return nil, nil // not reached
}

// parseInstances reads list, a JSON list of instances, into rows of
// s.in.Size() values each, one after the other. An instance is a flat list
// of that many numbers, nested lists of the input shape, or a bare number
// when the input has one value.
func (s *Server) parseInstances(list []byte, field string) (values []float64, rows int, rerr *requestError) {
	return s.parseInstancesOf(list, field, s.in)
}

// parseInstancesOf reads list as parseInstances does, for an input of
// shape shape.
func (s *Server) parseInstancesOf(list []byte, field string, shape layers.Shape) (values []float64, rows int, rerr *requestError) {
	sc := scanner{b: list}
	sc.skipSpace()
	if c := sc.peek(); c != '[' {
		return nil, 0, badRequest("%q must be a list of instances, got %s", field, kindOf(c))
	}
	sc.i++
	sc.skipSpace()
	if sc.peek() == ']' {
		return nil, 0, badRequest("%q is empty; send at least one instance", field)
	}
	size := shape.Size()
	if s.anyLength {
		size = -1 // any number of steps; the first instance sets it
	}
	depth := max(len(shape), 1)
	values = make([]float64, 0, max(size, 0))
	dims := make([]int, depth)
	for {
		if rows == s.opt.MaxBatch {
			n := rows + sc.countRest()
			return nil, 0, &requestError{code: http.StatusRequestEntityTooLarge,
				msg: fmt.Sprintf("the request has %d instances, the limit is %d per request; send them in smaller batches", n, s.opt.MaxBatch)}
		}
		for i := range dims {
			dims[i] = -1
		}
		in := instance{index: rows, size: size, in: shape, f32: s.dtype == tensor.Float32, leaf: -1, dims: dims, values: values, anyLength: s.anyLength}
		if rerr := in.read(&sc, 0); rerr != nil {
			return nil, 0, rerr
		}
		if rerr := in.check(); rerr != nil {
			return nil, 0, rerr
		}
		if size < 0 {
			size = in.n // the request's sequences all have this length
		}
		values = in.values
		rows++
		sc.skipSpace()
		switch sc.peek() {
		case ',':
			sc.i++
			sc.skipSpace()
			continue
		case ']':
			return values, rows, nil
		}
		return nil, 0, badRequest("%q is not a well-formed list after instance %d", field, rows-1)
	}
}

// instance reads one instance, appending its values and noting its shape.
type instance struct {
	index  int
	size   int
	in     layers.Shape
	f32    bool
	values []float64
	n      int   // values seen
	dims   []int // list length at each depth, -1 until seen
	leaf   int   // depth of the numbers, -1 until seen
	// anyLength: the model takes sequences of any length, each step
	// in[1:]; size is -1 for the request's first instance.
	anyLength bool
}

// read reads the value at sc, depth lists deep in the instance.
func (in *instance) read(sc *scanner, depth int) *requestError {
	c := sc.peek()
	if c == '[' {
		if depth == len(in.dims) {
			return badRequest("instance %d is nested deeper than the model's input shape %v: %s", in.index, in.in, in.expect())
		}
		sc.i++
		sc.skipSpace()
		count := 0
		if sc.peek() == ']' {
			sc.i++
		} else {
			for {
				if rerr := in.read(sc, depth+1); rerr != nil {
					return rerr
				}
				count++
				sc.skipSpace()
				if c := sc.peek(); c == ',' {
					sc.i++
					sc.skipSpace()
					continue
				} else if c == ']' {
					sc.i++
					break
				}
				return badRequest("instance %d is not a well-formed list", in.index)
			}
		}
		switch d := in.dims[depth]; {
		case d < 0:
			in.dims[depth] = count
		case d != count:
			return badRequest("instance %d is ragged: a list of %d values where another at the same depth has %d; the model takes %s", in.index, count, d, in.expectNested())
		}
		return nil
	}
	if c != '-' && (c < '0' || c > '9') {
		return badRequest("instance %d, value %d: %s is %s, not a number", in.index, in.n, sc.excerpt(), kindOf(c))
	}
	if in.leaf < 0 {
		in.leaf = depth
	} else if in.leaf != depth {
		return badRequest("instance %d mixes numbers and lists at the same depth; the model takes %s", in.index, in.expect())
	}
	start := sc.i
	for sc.i < len(sc.b) && isNumberByte(sc.b[sc.i]) {
		sc.i++
	}
	v, err := strconv.ParseFloat(string(sc.b[start:sc.i]), 64)
	if err != nil || in.f32 && math.Abs(v) > math.MaxFloat32 {
		text := string(sc.b[start:sc.i])
		switch {
		case err != nil && math.IsInf(v, 0):
			return badRequest("instance %d, value %d: %s is out of range", in.index, in.n, text)
		case err != nil:
			return badRequest("instance %d, value %d: %s is not a number", in.index, in.n, text)
		}
		return badRequest("instance %d, value %d: %s is out of range for the model's float32", in.index, in.n, text)
	}
	if in.size < 0 || in.n < in.size {
		in.values = append(in.values, v)
	}
	in.n++
	return nil
}

// check says whether the instance read has the model's input shape, flat or
// nested.
func (in *instance) check() *requestError {
	if in.anyLength {
		return in.checkSequence()
	}
	switch in.leaf {
	case -1:
		return badRequest("instance %d has no values, the model takes %s", in.index, in.expect())
	case 0, 1:
		if in.n == in.size {
			return nil
		}
		plural := "s"
		if in.n == 1 {
			plural = ""
		}
		return badRequest("instance %d has %d value%s, the model takes %s", in.index, in.n, plural, in.expect())
	}
	if layers.Shape(in.dims[:in.leaf]).Equal(in.in) {
		return nil
	}
	return badRequest("instance %d has shape %v, the model takes %s", in.index, in.dims[:in.leaf], in.expect())
}

// checkSequence checks an instance of a model that takes sequences of any
// length: steps of shape in[1:], flat or nested, as many as the request's
// first instance has.
func (in *instance) checkSequence() *requestError {
	step := in.in[1:].Size()
	what := fmt.Sprintf("sequences of any number of steps of %d values (each step of shape %v), flat or nested, of one length in a request", step, []int(in.in[1:]))
	switch {
	case in.leaf < 0 || in.n == 0:
		return badRequest("instance %d has no values, the model takes %s", in.index, what)
	case in.size >= 0 && in.n != in.size:
		return badRequest("instance %d has %d values, instance 0 has %d; the model takes %s", in.index, in.n, in.size, what)
	case in.n%step != 0:
		return badRequest("instance %d has %d values, not a whole number of steps; the model takes %s", in.index, in.n, what)
	case in.leaf > 1 && (in.leaf != len(in.in) || !layers.Shape(in.dims[1:in.leaf]).Equal(in.in[1:])):
		return badRequest("instance %d has shape %v, the model takes %s", in.index, in.dims[:in.leaf], what)
	}
	return nil
}

// expect says what an instance must be: "64 (shape (None, 64))", or for an
// input of more than one dimension "64 values flat or nested as [8 8]
// (shape (None, 8, 8))".
func (in *instance) expect() string {
	if len(in.in) <= 1 {
		return fmt.Sprintf("%d (shape %v)", in.size, in.in)
	}
	return fmt.Sprintf("%d values flat or %s", in.size, in.expectNested())
}

func (in *instance) expectNested() string {
	return fmt.Sprintf("lists nested as %v (shape %v)", []int(in.in), in.in)
}

// isNumberByte reports whether c may be part of a JSON number.
func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// scanner walks JSON that json.Unmarshal has already checked.
type scanner struct {
	b []byte
	i int
}

func (sc *scanner) peek() byte {
	if sc.i < len(sc.b) {
		return sc.b[sc.i]
	}
	return 0
}

func (sc *scanner) skipSpace() {
	for sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// skipString moves past the string that starts at sc.i.
func (sc *scanner) skipString() {
	for sc.i++; sc.i < len(sc.b); sc.i++ {
		switch sc.b[sc.i] {
		case '\\':
			sc.i++
		case '"':
			sc.i++
			return
		}
	}
}

// skipValue moves past the value at sc.i, to the ',' or ']' after it.
func (sc *scanner) skipValue() {
	depth := 0
	for sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case '"':
			sc.skipString()
			continue
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				return
			}
			depth--
		case ',':
			if depth == 0 {
				return
			}
		}
		sc.i++
	}
}

// countRest counts the values left in the list being read.
func (sc *scanner) countRest() int {
	n := 0
	for {
		sc.skipSpace()
		switch sc.peek() {
		case ']', 0:
			return n
		case ',':
			sc.i++
			continue
		}
		n++
		sc.skipValue()
	}
}

// excerpt is the value at sc.i as the client wrote it, cut to 40 bytes.
func (sc *scanner) excerpt() string {
	start := sc.i
	end := start
	if sc.peek() == '"' {
		sc.skipString()
		end = sc.i
	} else {
		sc.skipValue()
		end = sc.i
	}
	s := string(sc.b[start:end])
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// kindOf names the kind of JSON value that starts with c.
func kindOf(c byte) string {
	switch c {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	}
	return "a number"
}
