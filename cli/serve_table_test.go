package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// profundo serve of a model trained on a CSV takes the raw rows predict
// takes, and answers the classes predict writes; a bad row's error lists
// the columns the model expects.
func TestServeTableRows(t *testing.T) {
	dir := t.TempDir()
	data := writeFile(t, dir, "colors.csv", colorsCSV([2]string{"low", "high"}))
	model := filepath.Join(dir, "model")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"train", "--quiet", "--epochs", "20", "--data", "csv", "--path", data, "--target", "label", "--out", model}, &out, &errOut); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut.String())
	}
	rows := "x1,x2,color\n0.9,0.8,red\n0.1,0.2,blue\n"
	preds := filepath.Join(dir, "preds.csv")
	if code := run(context.Background(), []string{"predict", "--model", model, "--input", writeFile(t, dir, "rows.csv", rows), "--output", preds}, &out, &errOut); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, errOut.String())
	}
	f, err := os.Open(preds)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 3 {
		t.Fatalf("predictions %v, %v", recs, err)
	}
	wantClasses := []string{recs[1][0], recs[2][0]}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"serve", "--model", model, "--addr", "127.0.0.1:0", "--replicas", "1"}, pw, &stderr)
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
	m := regexp.MustCompile(`on (http://127\.0\.0\.1:[0-9]+)$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q", line)
	}
	url := m[1] + "/v1/predict"
	for _, body := range []string{
		`{"instances": [{"x1": 0.9, "x2": 0.8, "color": "red"}, {"x1": 0.1, "x2": 0.2, "color": "blue"}]}`,
		`{"instances": [[0.9, 0.8, "red"], [0.1, 0.2, "blue"]]}`,
	} {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var a struct {
			Classes []string `json:"classes"`
			Error   string   `json:"error"`
		}
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || strings.Join(a.Classes, ",") != strings.Join(wantClasses, ",") {
			t.Errorf("%s: status %d, err %v, classes %v (error %q); predict wrote %v", body, resp.StatusCode, err, a.Classes, a.Error, wantClasses)
		}
	}
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"instances": [{"x1": 0.9, "colour": "red"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `the model takes the columns {\"x1\": a number, \"x2\": a number, \"color\": one of \"blue\", \"green\", \"red\"}`) {
		t.Errorf("a bad row: status %d, body %s", resp.StatusCode, b)
	}
	cancel()
	select {
	case <-code:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit")
	}
}
