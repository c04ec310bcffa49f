package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

// servePredict answers a predict request and counts it.
func (s *Server) servePredict(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	code := s.answerPredict(w, r)
	s.metrics.request(code, time.Since(start))
}

// answerPredict answers a predict request and returns the status it
// answered.
func (s *Server) answerPredict(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path+`; POST {"instances": [[...], ...]}`)
	}
	body, rerr := s.readBody(w, r)
	if rerr != nil {
		return writeError(w, rerr.code, rerr.msg)
	}
	if s.named != nil {
		return s.answerNamed(w, r, body)
	}
	list, key, rerr := decodeRequest(body)
	if rerr != nil {
		return writeError(w, rerr.code, rerr.msg)
	}
	values, rows, rerr := s.instances(list, key2field(key))
	if rerr != nil {
		return writeError(w, rerr.code, rerr.msg)
	}
	s.metrics.rows.observe(float64(rows), uint64(rows))

	ctx, cancel := context.WithTimeout(r.Context(), s.opt.RequestTimeout)
	defer cancel()
	rep, err := s.acquire(ctx)
	if err != nil {
		return s.writeContextError(w, r, "waiting for a free model replica (all "+strconv.Itoa(s.opt.Replicas)+" are busy)", err)
	}
	out, err := func() ([]float64, error) {
		defer s.release(rep) // even if the model panics
		return s.predict(ctx, rep, values, rows)
	}()
	if err != nil {
		if ctx.Err() != nil {
			return s.writeContextError(w, r, "predicting", err)
		}
		s.logf("predict: %v", err)
		return writeError(w, http.StatusInternalServerError, "the model failed to predict: "+err.Error())
	}
	b, err := s.appendAnswer(make([]byte, 0, 64+len(out)*12), key, out, rows)
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

func key2field(key string) string {
	if key == "outputs" {
		return "inputs"
	}
	return "instances"
}

// readBody reads the request body, up to MaxBodyBytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *requestError) {
	limit := s.opt.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, s.tooLarge()
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + 1)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, s.tooLarge()
	case err != nil:
		return nil, badRequest("reading the body: %v", err)
	}
	return buf.Bytes(), nil
}

func (s *Server) tooLarge() *requestError {
	return &requestError{code: http.StatusRequestEntityTooLarge,
		msg: "the body is larger than the limit of " + strconv.FormatInt(s.opt.MaxBodyBytes, 10) + " bytes; send fewer instances per request"}
}

// writeContextError answers a request whose context ended while doing
// what: 499 (nothing is written) when the client went away, 503 when the
// request ran out of time.
func (s *Server) writeContextError(w http.ResponseWriter, r *http.Request, what string, err error) int {
	if r.Context().Err() != nil {
		return statusClientGone
	}
	w.Header().Set("Retry-After", "1")
	return writeError(w, http.StatusServiceUnavailable, "the request timed out after "+s.opt.RequestTimeout.String()+" "+what+
		"; try again later: "+err.Error())
}

// acquire takes a free replica, waiting for one until ctx ends.
func (s *Server) acquire(ctx context.Context) (*models.Functional, error) {
	select {
	case r := <-s.replicas:
		s.metrics.busy.Add(1)
		return r, nil
	default:
	}
	select {
	case r := <-s.replicas:
		s.metrics.busy.Add(1)
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// release gives a replica back to the pool.
func (s *Server) release(r *models.Functional) {
	s.metrics.busy.Add(-1)
	s.replicas <- r
}

// predict runs rows rows of values on replica r, in chunks of at most
// s.chunk rows padded with zeros to a power of two, and returns the
// outputs, rows times the output size.
func (s *Server) predict(ctx context.Context, r *models.Functional, values []float64, rows int) ([]float64, error) {
	inSize, outSize, in := s.in.Size(), s.out.Size(), s.in
	if s.anyLength && rows > 0 && len(values) != rows*inSize {
		inSize = len(values) / rows
		in = append(layers.Shape{inSize / s.in[1:].Size()}, s.in[1:]...)
	}
	out := make([]float64, 0, rows*outSize)
	for from := 0; from < rows; from += s.chunk {
		n := min(rows-from, s.chunk)
		batch := s.paddedBatch(n)
		x := tensor.New(tensor.Of(s.dtype), tensor.WithShape(in.WithBatch(batch)...))
		chunk := values[from*inSize : (from+n)*inSize]
		switch d := x.Data().(type) {
		case []float32:
			for i, v := range chunk {
				d[i] = float32(v)
			}
		case []float64:
			copy(d, chunk)
		}
		ys, err := r.Predict(ctx, x)
		if err != nil {
			return nil, err
		}
		y := ys[0]
		outSize = y.Shape().TotalSize() / batch // a sequence's output may have its length
		switch d := y.Data().(type) {
		case []float32:
			for _, v := range d[:n*outSize] {
				out = append(out, float64(v))
			}
		case []float64:
			out = append(out, d[:n*outSize]...)
		default:
			return nil, errors.Errorf("the model's output is %T, want float32 or float64 values", y.Data())
		}
	}
	return out, nil
}

// paddedBatch is the batch n rows are predicted in: the next power of two,
// at most s.chunk.
func (s *Server) paddedBatch(n int) int {
	b := 1
	for b < n {
		b *= 2
	}
	return min(b, s.chunk)
}

// batches lists every batch paddedBatch returns: the powers of two below
// s.chunk, and s.chunk.
func (s *Server) batches() []int {
	var bs []int
	for b := 1; b < s.chunk; b *= 2 {
		bs = append(bs, b)
	}
	return append(bs, s.chunk)
}

// appendAnswer appends the JSON answer: out under key, nested as the output
// shape, and the classes.
func (s *Server) appendAnswer(b []byte, key string, out []float64, rows int) ([]byte, error) {
	size, shape := s.out.Size(), s.out
	if rows > 0 && len(out) != rows*size && len(s.out) >= 2 {
		// A sequence output of another length than the model's built one.
		size = len(out) / rows
		shape = append(layers.Shape{size / s.out[1:].Size()}, s.out[1:]...)
	}
	bits := 32
	if s.dtype == tensor.Float64 {
		bits = 64
	}
	b = append(b, `{"`...)
	b = append(b, key...)
	b = append(b, `":[`...)
	for i := 0; i < rows; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		row := out[i*size : (i+1)*size]
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errors.Errorf("the model's output for instance %d is not finite (%v); the input may be out of the range it was trained on", i, v)
			}
		}
		b = appendNested(b, row, shape, bits)
	}
	b = append(b, ']')
	if s.classes != nil {
		b = append(b, `,"classes":[`...)
		for i := 0; i < rows; i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, s.classes[s.classOf(out[i*size:(i+1)*size])]...)
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...), nil
}

// classOf is the index of row's class: its largest value, or for one unit,
// 1 when it is at least 0.5.
func (s *Server) classOf(row []float64) int {
	if s.binary {
		if row[0] >= 0.5 {
			return 1
		}
		return 0
	}
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

// appendNested appends v as JSON lists nested as shape.
func appendNested(b []byte, v []float64, shape []int, bits int) []byte {
	b = append(b, '[')
	if len(shape) <= 1 {
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, x, bits)
		}
		return append(b, ']')
	}
	step := len(v) / max(shape[0], 1)
	for i := 0; i < shape[0]; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNested(b, v[i*step:(i+1)*step], shape[1:], bits)
	}
	return append(b, ']')
}

// appendFloat appends f as encoding/json writes a float of bits bits.
func appendFloat(b []byte, f float64, bits int) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 {
		if bits == 64 && (a < 1e-6 || a >= 1e21) || bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// writeError answers code with the JSON body {"error": msg} and returns code.
func writeError(w http.ResponseWriter, code int, msg string) int {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg}) // a string always marshals
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
	return code
}

func (s *Server) logf(format string, args ...any) {
	if s.opt.ErrorLog != nil {
		s.opt.ErrorLog.Printf(format, args...)
	}
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strconv.Quote(s)
}
