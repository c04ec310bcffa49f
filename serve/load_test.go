package serve_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profundo/profundo/serve"
)

// TestLoad sends single-row requests from 8 concurrent clients over
// loopback to a real http.Server serving the digits model, with 1 replica
// (a lock, in effect) and with the default pool, and reports requests/s,
// latency percentiles, errors and the heap after warm-up, half way and at
// the end. It runs only with PROFUNDO_LOAD_TEST=1 (and not under -short);
// PROFUNDO_LOAD_REQUESTS sets the requests per run (default 20000). Each run
// stops after 60s whatever the count.
//
//	PROFUNDO_LOAD_TEST=1 go test -run TestLoad -v ./serve/
func TestLoad(t *testing.T) {
	if testing.Short() || os.Getenv("PROFUNDO_LOAD_TEST") != "1" {
		t.Skip("set PROFUNDO_LOAD_TEST=1 to run the load test")
	}
	n := 20000
	if v := os.Getenv("PROFUNDO_LOAD_REQUESTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			t.Fatalf("PROFUNDO_LOAD_REQUESTS=%q is not a positive number", v)
		}
	}
	m, test := digitsModel(t)
	bodies := make([][]byte, test.Len())
	for i := range bodies {
		bodies[i] = instances(t, rowsOf(test.X, i, i+1))
	}
	for _, replicas := range []int{1, 0} {
		s, err := serve.New(m, serve.Options{Replicas: replicas})
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("replicas=%d", replicas)
		if replicas == 0 {
			name = fmt.Sprintf("replicas=GOMAXPROCS(%d)", runtime.GOMAXPROCS(0))
		}
		t.Run(name, func(t *testing.T) { loadRun(t, s, bodies, n) })
	}
}

func loadRun(t *testing.T, s *serve.Server, bodies [][]byte, n int) {
	const clients = 8
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	url := "http://" + ln.Addr().String() + "/v1/predict"
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	// phase sends len(lat) requests from 8 clients, writes each one's
	// latency into lat (-1 for a failure) and returns how many it sent and
	// how many failed. lat is allocated before the heap is measured, so that
	// the client's records do not count as the server's growth.
	phase := func(lat []time.Duration, deadline time.Time) (sent, failed int) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(lat) || time.Now().After(deadline) {
						return
					}
					start := time.Now()
					lat[i] = -1
					resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i%len(bodies)]))
					if err != nil {
						continue
					}
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode == http.StatusOK {
						lat[i] = time.Since(start)
					}
				}
			}()
		}
		wg.Wait()
		sent = min(int(next.Load()), len(lat))
		for _, d := range lat[:sent] {
			if d < 0 {
				failed++
			}
		}
		return sent, failed
	}
	heap := func() memUse {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return memUse{ms.HeapAlloc, ms.HeapInuse, ms.HeapObjects, rss()}
	}

	deadline := time.Now().Add(60 * time.Second)
	all := make([]time.Duration, n)
	phase(make([]time.Duration, 500), deadline) // warm-up: connections, buffers
	h0 := heap()
	start := time.Now()
	sent1, err1 := phase(all[:n/2], deadline)
	elapsed := time.Since(start)
	h1 := heap()
	start = time.Now()
	sent2, err2 := phase(all[n/2:], deadline)
	elapsed += time.Since(start) // the GC between the halves is not counted
	h2 := heap()
	sent, errs := sent1+sent2, err1+err2
	var lat []time.Duration
	for _, d := range append(all[:sent1:sent1], all[n/2:n/2+sent2]...) {
		if d >= 0 {
			lat = append(lat, d)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	if len(lat) == 0 {
		t.Fatalf("no request succeeded (%d errors)", errs)
	}
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	t.Logf("%d requests (%d ok, %d errors) from %d clients in %v, GOMAXPROCS %d", sent, len(lat), errs, clients, elapsed.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	t.Logf("throughput %.0f requests/s", float64(len(lat))/elapsed.Seconds())
	t.Logf("latency p50 %v, p90 %v, p99 %v, max %v, mean %v", pct(.5), pct(.9), pct(.99), lat[len(lat)-1], sum/time.Duration(max(len(lat), 1)))
	t.Logf("after GC, warm-up / half way / end: heap live %.2f / %.2f / %.2f MiB, heap in use %.2f / %.2f / %.2f MiB, objects %d / %d / %d, process RSS %.1f / %.1f / %.1f MiB",
		mib(h0.alloc), mib(h1.alloc), mib(h2.alloc), mib(h0.inuse), mib(h1.inuse), mib(h2.inuse),
		h0.objects, h1.objects, h2.objects, mib(h0.rss), mib(h1.rss), mib(h2.rss))
	if errs > 0 {
		t.Errorf("%d requests failed", errs)
	}
	if sent < n {
		t.Logf("stopped at the 60s bound after %d of %d requests", sent, n)
	}
	if h2.alloc > h1.alloc+4<<20 {
		t.Errorf("the live heap grew by %.1f MiB over the second half", mib(h2.alloc-h1.alloc))
	}
}

// memUse is the memory in use after a GC.
type memUse struct {
	alloc, inuse, objects, rss uint64
}

// rss is the process's resident set in bytes, 0 where /proc is missing.
func rss() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// BenchmarkHandlerPredict times the predict handler alone (no network) for
// one request of 1 and of 32 rows.
func BenchmarkHandlerPredict(b *testing.B) {
	m, test := digitsModel(b)
	s, err := serve.New(m, serve.Options{Replicas: 1})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	for _, rows := range []int{1, 32} {
		body := instances(b, rowsOf(test.X, 0, rows))
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				req, _ := http.NewRequest(http.MethodPost, "/v1/predict", bytes.NewReader(body))
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
