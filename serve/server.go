package serve

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

// Options tunes a Server. The zero value serves with the defaults below.
type Options struct {
	// MaxBodyBytes bounds a request body; a larger one is answered 413.
	// Zero means 1 MiB.
	MaxBodyBytes int64
	// MaxBatch bounds the instances (rows) of one request; more are answered
	// 413. Zero means 1024.
	MaxBatch int
	// Replicas is how many requests predict at the same time, each on a
	// replica of its own. Zero means runtime.GOMAXPROCS(0).
	Replicas int
	// RequestTimeout bounds a request's wait for a free replica and its
	// prediction; a request that runs out of time is answered 503. Serve
	// also bounds reading a request and writing the answer by it, plus 5s.
	// Zero means 10s.
	RequestTimeout time.Duration
	// DrainDelay is how long Serve keeps serving, with /readyz answering 503,
	// after its context is cancelled and before it stops accepting
	// connections, so that a load balancer stops sending requests first. Zero
	// means it stops at once.
	DrainDelay time.Duration
	// ShutdownTimeout bounds how long Serve waits for requests in flight to
	// finish once it stops accepting connections; past it they are cut off.
	// Zero means RequestTimeout plus 5s.
	ShutdownTimeout time.Duration
	// ErrorLog receives errors the clients do not cause (a model that fails,
	// a connection that breaks); nil means they are not logged.
	ErrorLog *log.Logger
}

const (
	defaultMaxBody = 1 << 20
	defaultBatch   = 1024
	defaultTimeout = 10 * time.Second
	// maxChunk is the most rows predicted in one graph run (fewer when the
	// model's Config.BatchSize is smaller); smaller batches are padded to a
	// power of two, so a replica has at most log2(maxChunk)+1 = 6 graphs,
	// fewer than the 8 a model caches, and never builds one after New.
	maxChunk = 32
)

// withDefaults fills the zero fields and checks the others.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.MaxBodyBytes < 0:
		return o, errors.Errorf("max body bytes must be >= 0, got %d", o.MaxBodyBytes)
	case o.MaxBatch < 0:
		return o, errors.Errorf("max batch must be >= 0, got %d", o.MaxBatch)
	case o.Replicas < 0:
		return o, errors.Errorf("replicas must be >= 0, got %d", o.Replicas)
	case o.RequestTimeout < 0:
		return o, errors.Errorf("request timeout must be >= 0, got %v", o.RequestTimeout)
	case o.DrainDelay < 0:
		return o, errors.Errorf("drain delay must be >= 0, got %v", o.DrainDelay)
	case o.ShutdownTimeout < 0:
		return o, errors.Errorf("shutdown timeout must be >= 0, got %v", o.ShutdownTimeout)
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = defaultMaxBody
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = defaultBatch
	}
	if o.Replicas == 0 {
		o.Replicas = runtime.GOMAXPROCS(0)
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = defaultTimeout
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = o.RequestTimeout + 5*time.Second
	}
	return o, nil
}

// Server serves one model's predictions. Its methods are safe for
// concurrent use. Make one with New.
type Server struct {
	opt      Options
	in, out  layers.Shape
	dtype    tensor.Dtype
	classes  [][]byte // each output unit's class name as a JSON string; nil when no "classes"
	binary   bool     // one-unit output: class 1 when the value >= 0.5
	chunk    int      // most rows per graph run: maxChunk, or the model's smaller batch size
	replicas chan *models.Functional
	table    *datasets.Tabular // a table model's columns, for raw rows; nil otherwise
	named    *named            // a model of several inputs or outputs; nil for one of each
	// anyLength: the model takes sequences of any length (in[0] is then
	// only the length it was built for); each request's instances share
	// one length.
	anyLength bool
	ready     atomic.Bool
	metrics   metrics
}

// New returns a server predicting with m, any model (a Sequential, or a
// functional model of any inputs and outputs, loaded or trained; several
// are sent and answered by name, as named describes), which
// must be built (loaded, or compiled or built with a known input shape). It makes opt.Replicas
// replicas of m, which share its weights: do not train m while serving.
//
// Before it returns, New builds every graph the replicas will run (one per
// padded batch size, 1 to 32 rows), one after the other, by predicting rows
// of zeros: the first requests are as fast as the rest, the memory the
// graphs take is taken at once, and no graph is built while serving, which
// matters because Gorgonia's graph building is not safe to run on two
// goroutines at once (Rectify, Conv2d and MaxPool bump a global counter).
// The server is ready then.
func New(model models.Model, opt Options) (*Server, error) {
	if model == nil || model.Model() == nil {
		return nil, errors.New("serve: model is nil")
	}
	m := model.Model()
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, errors.Wrap(err, "serve")
	}
	if !m.Built() {
		return nil, errors.New("serve: the model is not built; load it, or compile it with a layers.Input first")
	}
	ins, outs := m.InputShapes(), m.OutputShapes()
	if len(ins) == 0 || len(outs) == 0 {
		return nil, errors.Errorf("serve: the model has %d inputs and %d outputs", len(ins), len(outs))
	}
	cfg := m.Config()
	s := &Server{
		opt:      opt,
		in:       ins[0],
		out:      outs[0],
		dtype:    cfg.DType,
		chunk:    maxChunk,
		replicas: make(chan *models.Functional, opt.Replicas),
		table:    m.Tabular,
	}
	if cfg.BatchSize > 0 && cfg.BatchSize < maxChunk {
		s.chunk = cfg.BatchSize
	}
	if s.dtype == (tensor.Dtype{}) {
		s.dtype = tensor.Float32
	}
	if s.dtype != tensor.Float32 && s.dtype != tensor.Float64 {
		return nil, errors.Errorf("serve: the model's dtype is %v, want float32 or float64", s.dtype)
	}
	s.anyLength = len(ins) == 1 && m.TakesAnyLength(0)
	if len(ins) > 1 || len(outs) > 1 {
		s.named = newNamed(m)
		s.table = nil // a table's columns make one input
	}
	if err := s.setClasses(m.ClassNames); err != nil {
		return nil, err
	}
	s.metrics.init(opt.Replicas)
	if s.named != nil {
		for i := 0; i < opt.Replicas; i++ {
			r, err := m.Replica()
			if err != nil {
				return nil, errors.Wrap(err, "serve")
			}
			for _, b := range s.batches() {
				if _, err := s.predictNamed(context.Background(), r, s.named.zeros(b), b); err != nil {
					return nil, errors.Wrapf(err, "serve: replica %d: warm-up prediction of %d rows", i, b)
				}
			}
			s.replicas <- r
		}
		s.ready.Store(true)
		return s, nil
	}
	zeros := make([]float64, s.chunk*s.in.Size())
	for i := 0; i < opt.Replicas; i++ {
		r, err := m.Replica()
		if err != nil {
			return nil, errors.Wrap(err, "serve")
		}
		for _, b := range s.batches() {
			if _, err := s.predict(context.Background(), r, zeros[:b*s.in.Size()], b); err != nil {
				return nil, errors.Wrapf(err, "serve: replica %d: warm-up prediction of %d rows", i, b)
			}
		}
		s.replicas <- r
	}
	s.ready.Store(true)
	return s, nil
}

// setClasses decides what "classes" holds, from the output shape and names.
func (s *Server) setClasses(names []string) error {
	units := s.out.Size()
	switch {
	case len(s.out) != 1:
		if names != nil {
			return errors.Errorf("serve: the model has %d class names but its output has shape %v, not one dimension", len(names), s.out)
		}
	case units == 1 && len(names) == 0:
		// A regression: no classes.
	case units == 1:
		if len(names) != 2 {
			return errors.Errorf("serve: the model has one output unit and %d class names %q, want 2 (for 0 and 1)", len(names), names)
		}
		s.classes, s.binary = jsonStrings(names), true
	case names == nil:
		names = make([]string, units)
		for i := range names {
			names[i] = strconv.Itoa(i)
		}
		s.classes = jsonStrings(names)
	case len(names) != units:
		return errors.Errorf("serve: the model has %d class names but %d output units", len(names), units)
	default:
		s.classes = jsonStrings(names)
	}
	return nil
}

func jsonStrings(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i], _ = json.Marshal(s) // a string always marshals
	}
	return out
}

// SetReady sets what /readyz answers: 200 when true, 503 when false. New
// leaves the server ready; Serve sets it false when it begins to shut down.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// Ready reports what /readyz answers.
func (s *Server) Ready() bool { return s.ready.Load() }

// Handler returns the server's routes: /v1/predict (and TF Serving's
// /v1/models/NAME:predict), /healthz, /readyz and /metrics.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.route) }

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/v1/predict" || isTFPredictPath(p):
		s.servePredict(w, r)
	case p == "/healthz":
		if allow(w, r, http.MethodGet) {
			writeText(w, http.StatusOK, "ok\n")
		}
	case p == "/readyz":
		if !allow(w, r, http.MethodGet) {
			return
		}
		if s.Ready() {
			writeText(w, http.StatusOK, "ready\n")
		} else {
			writeText(w, http.StatusServiceUnavailable, "not ready\n")
		}
	case p == "/metrics":
		if allow(w, r, http.MethodGet) {
			s.serveMetrics(w)
		}
	default:
		writeError(w, http.StatusNotFound, "no such path "+quote(p)+"; predictions are at POST /v1/predict")
	}
}

// isTFPredictPath reports whether p is /v1/models/NAME:predict, TF Serving's
// predict path (also with /versions/N or /labels/L after NAME).
func isTFPredictPath(p string) bool {
	const prefix, suffix = "/v1/models/", ":predict"
	return len(p) > len(prefix)+len(suffix) && p[:len(prefix)] == prefix && p[len(p)-len(suffix):] == suffix
}

// allow answers 405 and reports false unless r's method is method (or HEAD
// for GET).
func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	if method == http.MethodGet {
		w.Header().Set("Allow", "GET, HEAD")
	} else {
		w.Header().Set("Allow", method)
	}
	writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path+"; use "+method)
	return false
}

func writeText(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}
