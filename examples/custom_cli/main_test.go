package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/profundo/profundo/cli"
	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

// TestCustomCommand builds this program, trains the spec's model with its
// "scale" layer through it, then evaluates, predicts and serves the saved
// model with it, and tunes the spec's model; the stock command refuses the model, naming the kind and
// how to register one.
func TestCustomCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program: not in -short runs")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "myprofundo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	command := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("myprofundo %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	testAccuracy := regexp.MustCompile(`(?m)^test_accuracy: ([0-9.]+)$`)

	saved := filepath.Join(dir, "scaled")
	out := command("train", "--model", "model.json", "--epochs", "5", "--quiet", "--out", saved)
	trained := testAccuracy.FindStringSubmatch(out)
	if trained == nil {
		t.Fatalf("train printed no test_accuracy:\n%s", out)
	}
	if acc, _ := strconv.ParseFloat(trained[1], 64); acc < 0.8 {
		t.Errorf("test accuracy %v after 5 epochs, want >= 0.8", acc)
	}
	m, err := models.LoadWith(saved, models.LoadOptions{Layers: func(kind string) (layers.Layer, bool) {
		if kind == "scale" {
			return &Scale{}, true
		}
		return nil, false
	}})
	if err != nil {
		t.Fatal(err)
	}
	if l, err := m.Layer("scale"); err != nil {
		t.Fatal(err)
	} else if _, ok := l.(*Scale); !ok {
		t.Fatalf("the saved model's layer \"scale\": %v, %v", l, err)
	}

	// evaluate scores the same test split as train did.
	out = command("evaluate", "--model", saved)
	if got := testAccuracy.FindStringSubmatch(out); got == nil || got[1] != trained[1] {
		t.Errorf("evaluate: %q, train gave test_accuracy %s", out, trained[1])
	}

	// predict writes what the loaded model predicts.
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	x := d.X.Data().([]float64)
	const rows = 5
	var in bytes.Buffer
	for i := 0; i < rows; i++ {
		for j := 0; j < 64; j++ {
			if j > 0 {
				in.WriteByte(',')
			}
			in.WriteString(strconv.FormatFloat(x[i*64+j], 'g', -1, 64))
		}
		in.WriteByte('\n')
	}
	csvIn, csvOut := filepath.Join(dir, "rows.csv"), filepath.Join(dir, "predictions.csv")
	if err := os.WriteFile(csvIn, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	command("predict", "--model", saved, "--input", csvIn, "--no-header", "--output", csvOut)
	f, err := os.Open(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != rows+1 || len(recs[1]) != 11 {
		t.Fatalf("predict wrote %v (%v), want a header and %d rows of a class and 10 probabilities", recs, err, rows)
	}

	// serve answers as predict did.
	cmd := exec.Command(bin, "serve", "--model", saved, "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
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
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no address in 30s: %s", stderr.String())
	}
	addr := regexp.MustCompile(`on (http://127\.0\.0\.1:[0-9]+)$`).FindStringSubmatch(line)
	if addr == nil {
		t.Fatalf("serve's first line %q names no address", line)
	}
	body, _ := json.Marshal(map[string]any{"instances": [][]float64{x[:64], x[64:128]}})
	resp, err := http.Post(addr[1]+"/v1/predict", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Predictions [][]float64 `json:"predictions"`
	}
	err = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(a.Predictions) != 2 {
		t.Fatalf("serve: status %d, %v, %+v", resp.StatusCode, err, a)
	}
	for i, p := range a.Predictions {
		for j, v := range p {
			want, _ := strconv.ParseFloat(recs[1+i][1+j], 64)
			if math.Abs(v-want) > 1e-5 {
				t.Errorf("row %d, class %d: serve %v, predict %v", i, j, v, want)
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGINT: %v; stderr %s", err, stderr.String())
	}

	// tune searches the learning rate of the spec's model and saves the
	// best, layer and all.
	out = command("tune", "--model", "model.json", "--trials", "2", "--epochs", "2", "--lr", "1e-3:1e-2",
		"--units", "64", "--layers", "1", "--dropout", "0", "--dir", filepath.Join(dir, "tune"))
	if !strings.Contains(out, "Saved the best model to") || testAccuracy.FindStringSubmatch(out) == nil {
		t.Errorf("tune printed:\n%s", out)
	}
	best, err := models.LoadWith(filepath.Join(dir, "tune", "best"), models.LoadOptions{Layers: func(kind string) (layers.Layer, bool) {
		if kind == "scale" {
			return &Scale{}, true
		}
		return nil, false
	}})
	if err != nil {
		t.Fatal(err)
	}
	if l, err := best.Layer("scale"); err != nil {
		t.Fatal(err)
	} else if _, ok := l.(*Scale); !ok {
		t.Errorf("the tuned model's layer \"scale\" is a %T", l)
	}

	// The stock command does not know the kind.
	var so, se bytes.Buffer
	if code := cli.Run(context.Background(), []string{"evaluate", "--model", saved}, &so, &se, cli.Options{}); code != 1 || !strings.Contains(se.String(), `unknown layer kind "scale"`) || !strings.Contains(se.String(), "LoadOptions.Layers") {
		t.Errorf("stock evaluate: exit %d, %s", code, se.String())
	}
}
