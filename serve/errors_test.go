package serve_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/serve"
)

// row returns n values of 0.5, as JSON, with the value at index i (if any)
// replaced by v.
func row(n, i int, v string) string {
	vals := make([]string, n)
	for j := range vals {
		vals[j] = "0.5"
	}
	if i >= 0 && i < n {
		vals[i] = v
	}
	return "[" + strings.Join(vals, ",") + "]"
}

// badCase is a request the server must refuse with code and an error body
// containing want.
type badCase struct {
	name    string
	method  string // "" means POST
	path    string // "" means /v1/predict
	body    string
	chunked bool // send the body without a Content-Length
	code    int
	want    string
}

func checkBad(t *testing.T, ts string, c *http.Client, tt badCase) {
	t.Helper()
	method, path := tt.method, tt.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/v1/predict"
	}
	var body io.Reader = strings.NewReader(tt.body)
	if tt.chunked {
		body = io.MultiReader(body) // hides the length
	}
	req, err := http.NewRequest(method, ts+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != tt.code {
		t.Errorf("status %d, want %d; body %s", resp.StatusCode, tt.code, data)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("body is not JSON: %s", data)
	}
	if !strings.Contains(e.Error, tt.want) {
		t.Errorf("error %q, want it to contain %q", e.Error, tt.want)
	}
}

// Bad requests get their status and a JSON error saying what is wrong, and
// the server goes on serving.
func TestBadRequests(t *testing.T) {
	m := untrained(t, losses.SparseCategoricalCrossentropy{}, tensor.Float32,
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	_, ts := newServer(t, m, serve.Options{MaxBodyBytes: 4096, MaxBatch: 4})
	good := row(64, -1, "")
	tests := []badCase{
		{name: "truncated JSON", body: `{"instances": [[1, 2`, code: 400, want: "the body is not valid JSON: unexpected end of JSON input"},
		{name: "not JSON", body: `hello`, code: 400, want: "the body is not valid JSON: invalid character 'h' looking for beginning of value (at byte 1)"},
		{name: "empty body", body: ``, code: 400, want: "the body is empty"},
		{name: "a list body", body: `[` + good + `]`, code: 400, want: `the body must be a JSON object {"instances": [[...], ...]}, got a JSON array`},
		{name: "no instances", body: `{"instance": [` + good + `]}`, code: 400, want: `the body has no "instances"`},
		{name: "instances a string", body: `{"instances": "0.5"}`, code: 400, want: `"instances" must be a list of instances, got a string`},
		{name: "instances null", body: `{"instances": null}`, code: 400, want: `"instances" must be a list of instances, got null`},
		{name: "no rows", body: `{"instances": []}`, code: 400, want: `"instances" is empty`},
		{name: "short row", body: `{"instances": [` + good + `,` + good + `,` + row(63, -1, "") + `]}`, code: 400, want: "instance 2 has 63 values, the model takes 64 (shape (None, 64))"},
		{name: "long row", body: `{"instances": [` + row(65, -1, "") + `]}`, code: 400, want: "instance 0 has 65 values, the model takes 64"},
		{name: "one value", body: `{"instances": [0.5]}`, code: 400, want: "instance 0 has 1 value, the model takes 64"},
		{name: "empty row", body: `{"instances": [[]]}`, code: 400, want: "instance 0 has no values, the model takes 64"},
		{name: "string value", body: `{"instances": [` + good + `,` + row(64, 5, `"abc"`) + `]}`, code: 400, want: `instance 1, value 5: "abc" is a string, not a number`},
		{name: "null value", body: `{"instances": [` + row(64, 0, `null`) + `]}`, code: 400, want: "instance 0, value 0: null is null, not a number"},
		{name: "boolean value", body: `{"instances": [` + row(64, 63, `true`) + `]}`, code: 400, want: "instance 0, value 63: true is a boolean, not a number"},
		{name: "object value", body: `{"instances": [` + row(64, 1, `{"a": 1}`) + `]}`, code: 400, want: `instance 0, value 1: {"a": 1} is an object, not a number`},
		{name: "object row", body: `{"instances": [{"x": ` + good + `}]}`, code: 400, want: "instance 0, value 0: "},
		{name: "nested too deep", body: `{"instances": [[` + good + `]]}`, code: 400, want: "instance 0 is nested deeper than the model's input shape (None, 64)"},
		{name: "too large for float32", body: `{"instances": [` + row(64, 3, `1e39`) + `]}`, code: 400, want: "instance 0, value 3: 1e39 is out of range for the model's float32"},
		{name: "too large for float64", body: `{"instances": [` + row(64, 3, `-1e400`) + `]}`, code: 400, want: "instance 0, value 3: -1e400 is out of range"},
		{name: "NaN", body: `{"instances": [` + row(64, 3, `NaN`) + `]}`, code: 400, want: "not valid JSON"},
		{name: "instances and inputs", body: `{"instances": [` + good + `], "inputs": [` + good + `]}`, code: 400, want: `both "instances" and "inputs"`},
		{name: "two named inputs", body: `{"inputs": {"a": [` + good + `], "b": [` + good + `]}}`, code: 400, want: "the model takes one"},
		{name: "inputs wrong", body: `{"inputs": [` + row(3, -1, "") + `]}`, code: 400, want: "instance 0 has 3 values"},
		{name: "too many rows", body: `{"instances": [` + strings.Repeat(good+",", 6) + good + `]}`, code: 413, want: "the request has 7 instances, the limit is 4 per request"},
		{name: "body too large", body: `{"instances": [` + good + `]` + strings.Repeat(" ", 5000) + `}`, code: 413, want: "the body is larger than the limit of 4096 bytes"},
		{name: "body too large chunked", body: `{"instances": [` + good + `]` + strings.Repeat(" ", 5000) + `}`, chunked: true, code: 413, want: "the body is larger than the limit of 4096 bytes"},
		{name: "GET predict", method: http.MethodGet, code: 405, want: "method GET is not allowed on /v1/predict"},
		{name: "PUT TF path", method: http.MethodPut, path: "/v1/models/x:predict", body: `{}`, code: 405, want: "method PUT is not allowed"},
		{name: "unknown path", path: "/v2/predict", code: 404, want: `no such path "/v2/predict"`},
		{name: "POST healthz", path: "/healthz", code: 405, want: "method POST is not allowed on /healthz; use GET"},
		{name: "POST metrics", path: "/metrics", code: 405, want: "use GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkBad(t, ts.URL, ts.Client(), tt) })
	}
	// Still serving, on the same client's connections.
	code, a, err := post(ts.Client(), ts.URL+"/v1/predict", []byte(`{"instances": [`+good+`]}`))
	if err != nil || code != http.StatusOK || len(a.Predictions) != 1 {
		t.Errorf("after the bad requests: status %d, err %v, answer %+v", code, err, a)
	}
	resp, err := ts.Client().Get(ts.URL + "/v1/predict")
	if err == nil {
		if got := resp.Header.Get("Allow"); got != "POST" {
			t.Errorf("405 Allow header %q, want POST", got)
		}
		resp.Body.Close()
	}
}

// Instances for a shaped input: ragged or misshapen lists are refused,
// naming the shape.
func TestBadNestedInstances(t *testing.T) {
	m := untrained(t, losses.SparseCategoricalCrossentropy{}, tensor.Float32,
		&layers.Input{Shape: layers.Shape{2, 3}},
		&layers.Flatten{},
		&layers.Dense{Units: 2, Activation: layers.Softmax},
	)
	_, ts := newServer(t, m, serve.Options{})
	tests := []badCase{
		{name: "ragged", body: `{"instances": [[[1,2,3],[4,5]]]}`, code: 400, want: "instance 0 is ragged: a list of 2 values where another at the same depth has 3; the model takes lists nested as [2 3] (shape (None, 2, 3))"},
		{name: "transposed", body: `{"instances": [[[1,2],[3,4],[5,6]]]}`, code: 400, want: "instance 0 has shape [3 2], the model takes 6 values flat or lists nested as [2 3] (shape (None, 2, 3))"},
		{name: "mixed", body: `{"instances": [[[1,2,3],4]]}`, code: 400, want: "instance 0 mixes numbers and lists at the same depth"},
		{name: "flat short", body: `{"instances": [[1,2,3,4,5,6],[1,2,3,4,5]]}`, code: 400, want: "instance 1 has 5 values, the model takes 6 values flat"},
		{name: "too deep", body: `{"instances": [[[[1,2,3]]]]}`, code: 400, want: "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkBad(t, ts.URL, ts.Client(), tt) })
	}
	code, a, err := post(ts.Client(), ts.URL+"/v1/predict", []byte(`{"instances": [[[1,2,3],[4,5,6]], [1,2,3,4,5,6]]}`))
	if err != nil || code != http.StatusOK || len(a.Predictions) != 2 || !closeTo(a.Predictions[:1], a.Predictions[1:], 0) {
		t.Errorf("nested and flat rows: status %d, err %v, answer %+v", code, err, a)
	}
}

// A model of one input value takes bare numbers as instances.
func TestScalarInstances(t *testing.T) {
	m := untrained(t, losses.MeanSquaredError{}, tensor.Float32,
		&layers.Input{Shape: layers.Shape{1}},
		&layers.Dense{Units: 2},
	)
	_, ts := newServer(t, m, serve.Options{})
	code, a, err := post(ts.Client(), ts.URL+"/v1/predict", []byte(`{"instances": [1.5, [1.5], -2]}`))
	if err != nil || code != http.StatusOK {
		t.Fatalf("status %d, err %v, error %q", code, err, a.Error)
	}
	want := predictRows(t, m, [][]float64{{1.5}, {1.5}, {-2}})
	if !closeTo(a.Predictions, want, 1e-6) {
		t.Errorf("predictions %v, want %v", a.Predictions, want)
	}
}

// FuzzPredict: whatever the body, the answer is 200, 400 or 413 with a JSON
// body, and never a panic.
func FuzzPredict(f *testing.F) {
	for _, s := range []string{`{"instances": [[1,2,3],[4,5,6]]}`, `{"instances": [[[1,2,3],[4,5,6]]]}`, `{"inputs": {"a": [1,2,3]}}`,
		`{"instances": [["a", null, true]]}`, `{"instances": [[1e400, 2, 3]]}`, `{"instances": [{"a": [1,2]}, 1]}`, `[]`, `{"instances": [[1,2,3],]}`} {
		f.Add([]byte(s))
	}
	m := untrained(f, losses.SparseCategoricalCrossentropy{}, tensor.Float32,
		&layers.Input{Shape: layers.Shape{2, 3}},
		&layers.Flatten{},
		&layers.Dense{Units: 2, Activation: layers.Softmax},
	)
	s, err := serve.New(m, serve.Options{Replicas: 1, MaxBatch: 8, MaxBodyBytes: 1 << 12})
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, mustRequest(t, body))
		switch rec.Code {
		case 200, 400, 413:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("answer %q to %q is not JSON", rec.Body.Bytes(), body)
		}
	})
}

func mustRequest(t testing.TB, body []byte) *http.Request {
	req, err := http.NewRequest(http.MethodPost, "http://x/v1/predict", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}
