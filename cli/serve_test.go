package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// savedDigitsModel trains a small classifier on the digits for two epochs
// and saves it; it returns the directory and the data set.
func savedDigitsModel(t *testing.T) (string, *datasets.Dataset) {
	t.Helper()
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	x := d.X.Data().([]float64)
	for i := range x {
		x[i] /= 16
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: 16, Activation: layers.ReLU},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	m.ClassNames = d.ClassNames
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 2, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "digits")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir, d
}

// profundo serve listens on a free port, prints it, predicts, and exits 0
// when its context is cancelled.
func TestServe(t *testing.T) {
	dir, d := savedDigitsModel(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"serve", "--model", dir, "--addr", "127.0.0.1:0", "--replicas", "2"}, pw, &stderr)
		pw.Close()
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	var line string
	select {
	case line = <-lines:
	case c := <-code:
		t.Fatalf("exit %d before serving: %s", c, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("no address printed in 30s")
	}
	m := regexp.MustCompile(`^serving (.+) on (http://127\.0\.0\.1:[0-9]+)$`).FindStringSubmatch(line)
	if m == nil || m[1] != dir {
		t.Fatalf("first line %q, want \"serving %s on http://127.0.0.1:PORT\"", line, dir)
	}
	url := m[2]

	row, _ := json.Marshal(map[string]any{"instances": [][]float64{d.X.Data().([]float64)[:64]}})
	resp, err := http.Post(url+"/v1/predict", "application/json", bytes.NewReader(row))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Predictions [][]float64 `json:"predictions"`
		Classes     []string    `json:"classes"`
	}
	err = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(a.Predictions) != 1 || len(a.Predictions[0]) != 10 || len(a.Classes) != 1 {
		t.Fatalf("predict: status %d, err %v, answer %+v", resp.StatusCode, err, a)
	}
	resp, err = http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %d", resp.StatusCode)
	}

	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d after cancel, want 0; stderr %s", c, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit 30s after its context was cancelled")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("still serving after exit")
	}
}

func TestServeFlags(t *testing.T) {
	dir, _ := savedDigitsModel(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--help"}, 0, "-max-batch"},
		{[]string{"help"}, 0, "profundo serve --model DIR"},
		{[]string{"serve"}, 1, "--model is required"},
		{[]string{"serve", "--model", dir, "--max-body", "0"}, 1, "--max-body must be > 0, got 0"},
		{[]string{"serve", "--model", dir, "--max-batch", "-1"}, 1, "--max-batch must be > 0, got -1"},
		{[]string{"serve", "--model", dir, "--replicas", "-2"}, 1, "--replicas must be >= 0, got -2"},
		{[]string{"serve", "--model", dir, "--timeout", "0s"}, 1, "--timeout must be > 0, got 0s"},
		{[]string{"serve", "--model", dir, "extra"}, 1, "unexpected arguments"},
		{[]string{"serve", "--model", filepath.Join(dir, "nope")}, 1, "nope"},
		{[]string{"serve", "--model", dir, "--addr", "127.0.0.1:http-nope"}, 1, "--addr"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(strings.Join(tt.args, " "), dir, "DIR"), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %s)", code, tt.code, errOut.String())
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, all)
			}
		})
	}
}
