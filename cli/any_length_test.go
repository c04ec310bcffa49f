package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
)

// profundo predict takes sequences of any length for a model declared with
// a length of 0: each line one sequence, every line of one length.
func TestPredictSequencesOfAnyLength(t *testing.T) {
	ctx := context.Background()
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{0, 3}},
		&layers.LSTM{Units: 4},
		&layers.Dense{Units: 2},
	)
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "model")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	const rows, steps = 3, 7
	r := rand.New(rand.NewSource(1))
	x := make([]float64, rows*steps*3)
	var in bytes.Buffer
	for i := range x {
		x[i] = r.NormFloat64()
		in.WriteString(strconv.FormatFloat(x[i], 'g', -1, 64))
		if (i+1)%(steps*3) == 0 {
			in.WriteByte('\n')
		} else {
			in.WriteByte(',')
		}
	}
	want, err := m.Predict(ctx, tensor.New(tensor.WithShape(rows, steps, 3), tensor.WithBacking(x)))
	if err != nil {
		t.Fatal(err)
	}
	csvIn, csvOut := filepath.Join(t.TempDir(), "seq.csv"), filepath.Join(t.TempDir(), "out.csv")
	if err := os.WriteFile(csvIn, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"predict", "--model", dir, "--input", csvIn, "--no-header", "--output", csvOut}, &stdout, &stderr); code != 0 {
		t.Fatalf("profundo predict: exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != rows+1 {
		t.Fatalf("wrote %d records (%v), want a header and %d rows", len(recs), err, rows)
	}
	w := want[0].Data().([]float64)
	for i, rec := range recs[1:] {
		for j := 0; j < 2; j++ {
			v, _ := strconv.ParseFloat(rec[len(rec)-2+j], 64)
			if math.Abs(v-w[i*2+j]) > 1e-6 {
				t.Fatalf("row %d, output %d: %v, Predict gives %v", i, j, v, w[i*2+j])
			}
		}
	}
	// Lines of different lengths are an error naming the line.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("1,2,3,4,5,6\n1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run(ctx, []string{"predict", "--model", dir, "--input", bad, "--no-header", "--output", csvOut}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "line 2") {
		t.Fatalf("lines of two lengths: exit %d, %s", code, stderr.String())
	}
}
