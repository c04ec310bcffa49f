package serve

import (
	"bytes"
	"math"
	"net/http"
	rtmetrics "runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"
)

// statusClientGone is the code counted for a request whose client went away
// before it was answered (nginx's 499).
const statusClientGone = 499

// countedCodes are the status codes profundo_requests_total counts; any
// other is counted as 500.
var countedCodes = [...]int{200, 400, 404, 405, 413, statusClientGone, 500, 503}

var (
	durationBounds = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	rowBounds      = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}
)

// metrics are a server's Prometheus metrics, updated with atomics.
type metrics struct {
	requests [len(countedCodes)]atomic.Uint64
	duration histogram // seconds, summed in nanoseconds
	rows     histogram // rows per prediction
	busy     atomic.Int64
	replicas int
}

func (m *metrics) init(replicas int) {
	m.duration.init(durationBounds, 1e-9)
	m.rows.init(rowBounds, 1)
	m.replicas = replicas
}

// request counts one predict request that was answered code after d.
func (m *metrics) request(code int, d time.Duration) {
	i := len(countedCodes) - 2 // 500
	for j, c := range countedCodes {
		if c == code {
			i = j
			break
		}
	}
	m.requests[i].Add(1)
	m.duration.observe(float64(d)/1e9, uint64(max(d, 0)))
}

// histogram is a Prometheus histogram with fixed upper bounds. The counts
// are per bucket (not cumulative) and the sum is an integer in units of
// unit, so that every update is one atomic add.
type histogram struct {
	bounds []float64
	counts []atomic.Uint64 // len(bounds)+1, the last for +Inf
	sum    atomic.Uint64
	unit   float64
}

func (h *histogram) init(bounds []float64, unit float64) {
	h.bounds, h.unit = bounds, unit
	h.counts = make([]atomic.Uint64, len(bounds)+1)
}

// observe adds v, whose sum is counted as units (v/unit).
func (h *histogram) observe(v float64, units uint64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sum.Add(units)
}

// write appends the histogram's lines, cumulative, with _sum and _count.
func (h *histogram) write(b *bytes.Buffer, name, help string) {
	header(b, name, help, "histogram")
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
		le := "+Inf"
		if i < len(h.bounds) {
			le = formatFloat(h.bounds[i])
		}
		b.WriteString(name + `_bucket{le="` + le + `"} ` + strconv.FormatUint(n, 10) + "\n")
	}
	b.WriteString(name + "_sum " + formatFloat(float64(h.sum.Load())*h.unit) + "\n")
	b.WriteString(name + "_count " + strconv.FormatUint(n, 10) + "\n")
}

func header(b *bytes.Buffer, name, help, kind string) {
	b.WriteString("# HELP " + name + " " + help + "\n")
	b.WriteString("# TYPE " + name + " " + kind + "\n")
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// serveMetrics writes the metrics in the Prometheus text format 0.0.4.
func (s *Server) serveMetrics(w http.ResponseWriter) {
	m := &s.metrics
	var b bytes.Buffer
	header(&b, "profundo_requests_total", "Prediction requests answered, by HTTP status code (499: the client went away).", "counter")
	for i, c := range countedCodes {
		if n := m.requests[i].Load(); n > 0 || c == http.StatusOK {
			b.WriteString(`profundo_requests_total{code="` + strconv.Itoa(c) + `"} ` + strconv.FormatUint(n, 10) + "\n")
		}
	}
	m.duration.write(&b, "profundo_request_duration_seconds", "Time to answer a prediction request, from its headers read to its answer handed to the connection.")
	m.rows.write(&b, "profundo_batch_rows", "Instances (rows) per well-formed prediction request.")
	header(&b, "profundo_replicas_busy", "Model replicas predicting now.", "gauge")
	b.WriteString("profundo_replicas_busy " + strconv.FormatInt(m.busy.Load(), 10) + "\n")
	header(&b, "profundo_replicas", "Model replicas, busy or not.", "gauge")
	b.WriteString("profundo_replicas " + strconv.Itoa(m.replicas) + "\n")
	writeRuntime(&b)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

// writeRuntime appends the process's goroutines and heap, the way the
// Prometheus Go client names them, read without stopping the world.
func writeRuntime(b *bytes.Buffer) {
	samples := []rtmetrics.Sample{
		{Name: "/sched/goroutines:goroutines"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	rtmetrics.Read(samples)
	value := func(s rtmetrics.Sample) string {
		if s.Value.Kind() != rtmetrics.KindUint64 {
			return "NaN"
		}
		return strconv.FormatUint(s.Value.Uint64(), 10)
	}
	header(b, "go_goroutines", "Goroutines that currently exist.", "gauge")
	b.WriteString("go_goroutines " + value(samples[0]) + "\n")
	header(b, "go_memstats_heap_alloc_bytes", "Heap bytes in objects, live or not yet swept.", "gauge")
	b.WriteString("go_memstats_heap_alloc_bytes " + value(samples[1]) + "\n")
}
