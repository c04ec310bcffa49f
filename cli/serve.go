package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/profundo/profundo/serve"
)

type serveFlags struct {
	model    string
	addr     string
	maxBody  int64
	maxBatch int
	replicas int
	timeout  time.Duration
	drain    time.Duration
}

func parseServeFlags(args []string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.model, "model", "", "the saved model to serve: a directory or .zip from profundo train --out or Save (required)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "host:port to listen on; port 0 picks a free port, printed at start")
	fs.Int64Var(&f.maxBody, "max-body", 1<<20, "largest request body in bytes; larger ones are answered 413")
	fs.IntVar(&f.maxBatch, "max-batch", 1024, "most instances (rows) in one request; more are answered 413")
	fs.IntVar(&f.replicas, "replicas", 0, "requests predicted at the same time, each on a model replica of its own; 0 means one per CPU (GOMAXPROCS)")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "longest a request may take, the wait for a free replica included; past it the answer is 503")
	fs.DurationVar(&f.drain, "drain", 0, "on SIGTERM or interrupt, how long to go on serving with /readyz answering 503 before closing the listener")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: profundo serve --model DIR [flags]

Serves a saved model's predictions over HTTP, in TensorFlow Serving's REST
shape, and prints "serving DIR on http://ADDR" once listening:

  POST /v1/predict (or /v1/models/NAME:predict)
       {"instances": [[x0, x1, ...], ...]}
    -> {"predictions": [[p0, p1, ...], ...], "classes": ["3", ...]}
  GET  /healthz   200 while the process runs
  GET  /readyz    200 when ready, 503 while shutting down
  GET  /metrics   Prometheus text format

Each instance is one row: the model's input values flat, or nested lists of
its input shape; the model's saved preprocessing (scaling, imputation) is
applied to it, so send raw features. A model trained on a CSV table takes
raw table rows, as predict does: {"instances": [{"x1": 0.5, "color": "blue"}]}
(an object naming the columns, null for a missing value) or the cells in the
columns' order ([0.5, "blue"]). Bad requests get a JSON {"error": "..."}
with 400, saying what the model takes (or 413 for a body or batch over the
limits). On SIGTERM or interrupt it stops
accepting connections, answers the requests in flight and exits 0.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	switch {
	case f.model == "":
		return nil, errors.New("--model is required: the directory or .zip of a saved model")
	case f.maxBody <= 0:
		return nil, fmt.Errorf("--max-body must be > 0, got %d", f.maxBody)
	case f.maxBatch <= 0:
		return nil, fmt.Errorf("--max-batch must be > 0, got %d", f.maxBatch)
	case f.replicas < 0:
		return nil, fmt.Errorf("--replicas must be >= 0, got %d", f.replicas)
	case f.timeout <= 0:
		return nil, fmt.Errorf("--timeout must be > 0, got %v", f.timeout)
	case f.drain < 0:
		return nil, fmt.Errorf("--drain must be >= 0, got %v", f.drain)
	}
	return f, nil
}

// serveModel is "profundo serve": it loads the model, listens, prints the
// address and serves until ctx is cancelled or the process gets SIGTERM.
func serveModel(ctx context.Context, args []string, stdout, stderr io.Writer, o Options) error {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	// main's context ends on SIGTERM too; this keeps serve graceful when
	// run is called with another context.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	m, err := o.load(f.model)
	if err != nil {
		return err
	}
	s, err := serve.New(m, serve.Options{
		MaxBodyBytes:   f.maxBody,
		MaxBatch:       f.maxBatch,
		Replicas:       f.replicas,
		RequestTimeout: f.timeout,
		DrainDelay:     f.drain,
		ErrorLog:       log.New(stderr, "profundo serve: ", log.LstdFlags),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	fmt.Fprintf(stdout, "serving %s on http://%s\n", f.model, ln.Addr())
	return s.Serve(ctx, ln)
}
