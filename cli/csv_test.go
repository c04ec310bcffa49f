package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// messyIris writes the iris set as a messy CSV: string labels, a
// categorical column, and missing cells written "", "NA" and "?".
func messyIris(t *testing.T, withTarget bool) string {
	t.Helper()
	d, err := datasets.Iris()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(7))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"sepal length", "sepal width", "petal length", "petal width", "site"}
	if withTarget {
		header = append(header, "species")
	}
	w.Write(header)
	x, y := d.X.Data().([]float64), d.Y.Data().([]float64)
	missing := []string{"", "NA", "?"}
	for i := 0; i < d.Len(); i++ {
		var rec []string
		for j := 0; j < 4; j++ {
			cell := strconv.FormatFloat(x[i*4+j], 'f', 1, 64)
			if rng.Float64() < 0.05 {
				cell = missing[rng.Intn(3)]
			}
			rec = append(rec, cell)
		}
		rec = append(rec, []string{"north", "south", "east"}[rng.Intn(3)])
		if withTarget {
			rec = append(rec, "Iris-"+d.ClassNames[int(y[i])])
		}
		w.Write(rec)
	}
	w.Flush()
	path := filepath.Join(t.TempDir(), "iris.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func metric(t *testing.T, out, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^test_` + name + `: (-?[0-9.]+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no test_%s line:\n%s", name, out)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestTrainOnMessyCSV(t *testing.T) {
	path := messyIris(t, true)
	dir := t.TempDir()
	model := filepath.Join(dir, "model")
	var out, errOut bytes.Buffer
	args := []string{"train", "--data", "csv", "--path", path, "--target", "species", "--epochs", "60", "--out", model}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	for _, want := range []string{"species", "categorical", "site", "classification"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if acc := metric(t, s, "accuracy"); acc < 0.85 {
		t.Errorf("test accuracy %v on messy iris, want >= 0.85", acc)
	}

	// Predict on new rows without the target column.
	newRows := messyIris(t, false)
	preds := filepath.Join(dir, "preds.csv")
	out.Reset()
	if code := run(context.Background(), []string{"predict", "--model", model, "--input", newRows, "--output", preds}, &out, &errOut); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, errOut.String())
	}
	f, err := os.Open(preds)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 151 || recs[0][0] != "class" || len(recs[0]) != 4 {
		t.Fatalf("predictions have %d rows, header %v", len(recs), recs[0])
	}
	if !strings.HasPrefix(recs[1][0], "Iris-") {
		t.Errorf("first prediction %v", recs[1])
	}

	// Evaluate the saved model on the CSV itself.
	out.Reset()
	if code := run(context.Background(), []string{"evaluate", "--model", model, "--path", path}, &out, &errOut); code != 0 {
		t.Fatalf("evaluate: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Classification report") || metric(t, out.String(), "accuracy") < 0.85 {
		t.Errorf("evaluate output:\n%s", out.String())
	}
}

func TestTrainRegression(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"train", "--data", "diabetes", "--quiet"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	for _, name := range []string{"loss", "rmse", "mae"} {
		metric(t, s, name)
	}
	if r2 := metric(t, s, "r2"); r2 <= 0.3 {
		t.Errorf("diabetes test R² %v, want > 0.3 (better than predicting the training mean)", r2)
	}
	// A continuous CSV column trains a regression; --task overrides.
	path := messyIris(t, true)
	out.Reset()
	if code := run(context.Background(), []string{"train", "--data", "csv", "--path", path, "--target", "petal width", "--quiet", "--epochs", "40"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "test_r2") {
		t.Errorf("a continuous target did not train a regression:\n%s", out.String())
	}
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"train", "--data", "csv", "--path", path, "--target", "nope", "--quiet"}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "nope") {
		t.Errorf("unknown target column: exit %d, %s", code, errOut.String())
	}
	_ = fmt.Sprint()
}
