package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profundo/profundo/serve"
)

// Requests from 8 goroutines at once, on fewer replicas, all succeed with
// the model's predictions, and the metrics count them.
func TestConcurrentRequests(t *testing.T) {
	const clients, perClient = 8, 50
	m, test := digitsModel(t)
	_, ts := newServer(t, m, serve.Options{Replicas: 2})
	type job struct {
		body []byte
		want [][]float64
		rows int
	}
	rng := rand.New(rand.NewSource(1))
	jobs := make([][]job, clients)
	totalRows := 0
	for c := range jobs {
		for j := 0; j < perClient; j++ {
			n := 1 + rng.Intn(5)
			from := rng.Intn(test.Len() - n)
			rows := rowsOf(test.X, from, from+n)
			jobs[c] = append(jobs[c], job{instances(t, rows), predictRows(t, m, rows), n})
			totalRows += n
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j, jb := range jobs[c] {
				code, a, err := post(ts.Client(), ts.URL+"/v1/predict", jb.body)
				if err != nil || code != http.StatusOK {
					errs <- fmt.Errorf("client %d request %d: status %d, err %v, error %q", c, j, code, err, a.Error)
					return
				}
				if !closeTo(a.Predictions, jb.want, 1e-6) {
					errs <- fmt.Errorf("client %d request %d: predictions %v, want %v", c, j, a.Predictions, jb.want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := scrape(t, ts.Client(), ts.URL)
	total := float64(clients * perClient)
	for name, want := range map[string]float64{
		`profundo_requests_total{code="200"}`:                 total,
		"profundo_request_duration_seconds_count":             total,
		`profundo_batch_rows_bucket{le="+Inf"}`:               total,
		"profundo_batch_rows_sum":                             float64(totalRows),
		"profundo_replicas_busy":                              0,
		"profundo_replicas":                                   2,
		`profundo_request_duration_seconds_bucket{le="+Inf"}`: total,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
}

// scrape gets /metrics, checks that every line is a comment or a sample,
// that every metric has HELP and TYPE, and that histogram buckets are
// cumulative, and returns the samples by name and labels.
func scrape(t testing.TB, c *http.Client, url string) map[string]float64 {
	t.Helper()
	resp, err := c.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("/metrics Content-Type %q", ct)
	}
	samples := map[string]float64{}
	typed := map[string]string{}
	helped := map[string]bool{}
	last := map[string]float64{} // the last bucket of each histogram
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# HELP ") {
			helped[strings.Fields(line)[2]] = true
			continue
		}
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			typed[f[2]] = f[3]
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("/metrics line %q is not a sample", line)
		}
		key, val := line[:i], line[i+1:]
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("/metrics line %q: value %v", line, err)
		}
		name := key
		if j := strings.IndexByte(key, '{'); j >= 0 {
			if !strings.HasSuffix(key, "}") {
				t.Fatalf("/metrics line %q: labels not closed", line)
			}
			name = key[:j]
		}
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if typed[base] == "histogram" {
			if strings.HasSuffix(name, "_bucket") {
				if v < last[base] {
					t.Errorf("/metrics: %s is not cumulative", line)
				}
				last[base] = v
			}
		} else {
			base = name
		}
		if typed[base] == "" || !helped[base] {
			t.Errorf("/metrics: %s has no HELP or TYPE before it", name)
		}
		samples[key] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for name, kind := range typed {
		if kind == "histogram" && samples[name+"_count"] != last[name] {
			t.Errorf("/metrics: %s_count %v, +Inf bucket %v", name, samples[name+"_count"], last[name])
		}
	}
	return samples
}

// The metrics count every predict request by status, and their durations
// and rows.
func TestMetrics(t *testing.T) {
	m, test := digitsModel(t)
	_, ts := newServer(t, m, serve.Options{MaxBatch: 100})
	body := func(n int) []byte { return instances(t, rowsOf(test.X, 0, n)) }
	sends := []struct {
		path string
		body []byte
		code int
	}{
		{"/v1/predict", body(1), 200},
		{"/v1/predict", body(3), 200},
		{"/v1/models/m:predict", body(100), 200},
		{"/v1/predict", []byte(`{`), 400},
		{"/v1/predict", body(101), 413},
		{"/nowhere", body(1), 404}, // not a predict request: not counted
	}
	for _, s := range sends {
		resp, err := ts.Client().Post(ts.URL+s.path, "application/json", strings.NewReader(string(s.body)))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != s.code {
			t.Fatalf("%s: status %d, want %d", s.path, resp.StatusCode, s.code)
		}
	}
	got := scrape(t, ts.Client(), ts.URL)
	for name, want := range map[string]float64{
		`profundo_requests_total{code="200"}`:                 3,
		`profundo_requests_total{code="400"}`:                 1,
		`profundo_requests_total{code="413"}`:                 1,
		"profundo_request_duration_seconds_count":             5,
		`profundo_batch_rows_bucket{le="1"}`:                  1,
		`profundo_batch_rows_bucket{le="2"}`:                  1,
		`profundo_batch_rows_bucket{le="4"}`:                  2,
		`profundo_batch_rows_bucket{le="64"}`:                 2,
		`profundo_batch_rows_bucket{le="128"}`:                3,
		`profundo_batch_rows_bucket{le="+Inf"}`:               3,
		"profundo_batch_rows_sum":                             104,
		"profundo_batch_rows_count":                           3,
		`profundo_request_duration_seconds_bucket{le="+Inf"}`: 5,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes"} {
		if got[name] <= 0 {
			t.Errorf("%s = %v, want > 0", name, got[name])
		}
	}
	if _, ok := got[`profundo_requests_total{code="404"}`]; ok {
		t.Error("a request to an unknown path was counted")
	}
	if sum := got["profundo_request_duration_seconds_sum"]; !(sum > 0 && sum < 60) {
		t.Errorf("profundo_request_duration_seconds_sum = %v", sum)
	}
}

// /healthz is 200 while the process runs; /readyz follows SetReady.
func TestHealthAndReady(t *testing.T) {
	m, _ := digitsModel(t)
	s, ts := newServer(t, m, serve.Options{Replicas: 1})
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		ready bool
		path  string
		code  int
		body  string
	}{
		{true, "/healthz", 200, "ok\n"},
		{true, "/readyz", 200, "ready\n"},
		{false, "/readyz", 503, "not ready\n"},
		{false, "/healthz", 200, "ok\n"},
		{true, "/readyz", 200, "ready\n"},
	}
	for _, tt := range tests {
		s.SetReady(tt.ready)
		if code, body := get(tt.path); code != tt.code || body != tt.body {
			t.Errorf("ready %v: %s = %d %q, want %d %q", tt.ready, tt.path, code, body, tt.code, tt.body)
		}
	}
}

// serveOn serves s on a loopback listener until the returned cancel is
// called; done yields Serve's error.
func serveOn(t *testing.T, s *serve.Server) (url string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), cancel, errc
}

// waitFor polls cond every 10ms for up to 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

// Cancelling Serve's context while a request is in flight: the server stops
// being ready and closes its listener, the request is answered, and Serve
// returns nil.
func TestGracefulShutdown(t *testing.T) {
	m, test := digitsModel(t)
	s, err := serve.New(m, serve.Options{Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	url, cancel, done := serveOn(t, s)
	addr := strings.TrimPrefix(url, "http://")
	rows := rowsOf(test.X, 0, 1)
	want := predictRows(t, m, rows)
	body := instances(t, rows)

	// Send the headers and half the body, so the request is in flight.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST /v1/predict HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body))
	if _, err := conn.Write(append([]byte(head), body[:len(body)/2]...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the server read the headers
	cancel()
	waitFor(t, "the server is not ready", func() bool { return !s.Ready() })
	waitFor(t, "the listener is closed", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-done:
		t.Fatalf("Serve returned %v with a request in flight", err)
	default:
	}
	if _, err := conn.Write(body[len(body)/2:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var a answer
	if err := json.Unmarshal(data, &a); err != nil || resp.StatusCode != http.StatusOK || !closeTo(a.Predictions, want, 1e-6) {
		t.Fatalf("the request in flight: %d %s, want predictions %v", resp.StatusCode, data, want)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the request in flight was answered")
	}
}

// With a drain delay, a cancelled server answers /readyz 503 and goes on
// predicting until the delay is over.
func TestDrainDelay(t *testing.T) {
	m, test := digitsModel(t)
	s, err := serve.New(m, serve.Options{Replicas: 1, DrainDelay: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	url, cancel, done := serveOn(t, s)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	cancel()
	waitFor(t, "the server is not ready", func() bool { return !s.Ready() })
	resp, err := c.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining: %d, want 503", resp.StatusCode)
	}
	code, a, err := post(c, url+"/v1/predict", instances(t, rowsOf(test.X, 0, 1)))
	if err != nil || code != http.StatusOK {
		t.Errorf("predicting while draining: status %d, err %v, error %q", code, err, a.Error)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve returned %v, want nil", err)
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("Serve returned after %v, before the drain delay of 500ms", d)
	}
	if _, err := c.Get(url + "/healthz"); err == nil {
		t.Error("the server still answers after Serve returned")
	}
}

// A request that cannot be answered within the request timeout gets a 503
// with a JSON error and Retry-After, and is counted as such.
func TestRequestTimeout(t *testing.T) {
	m, test := digitsModel(t)
	_, ts := newServer(t, m, serve.Options{Replicas: 1, RequestTimeout: time.Nanosecond})
	resp, err := ts.Client().Post(ts.URL+"/v1/predict", "application/json", bytes.NewReader(instances(t, rowsOf(test.X, 0, 1))))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(data, &e); err != nil || resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(e.Error, "the request timed out after 1ns") {
		t.Errorf("status %d, body %s; want 503 and a JSON error saying it timed out", resp.StatusCode, data)
	}
	if got := resp.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if got := scrape(t, ts.Client(), ts.URL)[`profundo_requests_total{code="503"}`]; got != 1 {
		t.Errorf(`profundo_requests_total{code="503"} = %v, want 1`, got)
	}
}
