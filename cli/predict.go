package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/atomicfile"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

type predictFlags struct {
	model, input, output string
	noHeader             bool
	csv                  csvFlags
}

func parsePredictFlags(args []string, stderr io.Writer) (*predictFlags, error) {
	f := &predictFlags{}
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.model, "model", "", "the saved model: a directory or zip from profundo train --out (required)")
	fs.StringVar(&f.input, "input", "", "CSV of the rows to predict (required): for a model trained on a CSV table, the same columns (the target may be left out); otherwise one row of feature values per line")
	fs.StringVar(&f.output, "output", "", "file to write the predictions to, as CSV; empty means standard output")
	fs.BoolVar(&f.noHeader, "no-header", false, "the input's first line is data, not column names (models not trained on a CSV table)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: profundo predict --model DIR --input FILE.csv [flags]

Writes the saved model's predictions for every row of the input as CSV: for
a classifier the predicted class and each class's probability, for a
regression the predicted value. The model's saved preprocessing (encoders,
imputation, scaling) is applied to the raw input first.

Flags:
`)
		fs.PrintDefaults()
	}
	f.csv.register(fs)
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if err := f.csv.check(); err != nil {
		return nil, err
	}
	if f.model == "" || f.input == "" {
		return nil, errors.New("--model and --input are required")
	}
	return f, nil
}

func predict(ctx context.Context, args []string, stdout, stderr io.Writer, o Options) error {
	f, err := parsePredictFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := checkFilePath("--output", f.output); err != nil {
		return err
	}
	m, err := o.load(f.model)
	if err != nil {
		return err
	}
	xs, err := predictionInputs(f, m)
	if err != nil {
		return err
	}
	outs, err := m.Predict(ctx, xs)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return writePredictions(w, outs[0], m.ClassNames) }
	if len(outs) > 1 {
		write = func(w io.Writer) error { return writeNamedPredictions(w, outs, m.OutputNames()) }
	}
	if f.output == "" {
		return write(stdout)
	}
	return atomicfile.Write(f.output, 0o644, write)
}

// predictionInputs reads the input CSV into one tensor per model input. A
// row holds every input's values, flattened, one input after the other in
// the model's order: for inputs a [3] and b [2, 2], 3 + 4 = 7 columns, the
// first 3 a's and the next 4 b's. A table model's row is its table's.
func predictionInputs(f *predictFlags, m *models.Functional) ([]*tensor.Dense, error) {
	ins := m.InputShapes()
	if len(ins) == 1 {
		x, err := predictionInput(f, m, ins[0])
		if err != nil {
			return nil, err
		}
		return []*tensor.Dense{x}, nil
	}
	if m.Tabular != nil {
		return nil, fmt.Errorf("%s: the model takes %d inputs and a table's columns make one", f.model, len(ins))
	}
	size := 0
	for _, in := range ins {
		size += in.Size()
	}
	x, err := predictionInput(f, m, layers.Shape{size})
	if err != nil {
		var parts []string
		for i, n := range m.Inputs() {
			parts = append(parts, fmt.Sprintf("%s %v", n.Name(), ins[i]))
		}
		return nil, fmt.Errorf("%w (a row holds the model's inputs one after the other, flattened: %s)", err, strings.Join(parts, ", "))
	}
	rows := x.Shape()[0]
	values := x.Data().([]float64)
	xs := make([]*tensor.Dense, len(ins))
	at := 0
	for i, in := range ins {
		n := in.Size()
		part := make([]float64, 0, rows*n)
		for r := 0; r < rows; r++ {
			part = append(part, values[r*size+at:r*size+at+n]...)
		}
		xs[i] = tensor.New(tensor.WithShape(in.WithBatch(rows)...), tensor.WithBacking(part))
		at += n
	}
	return xs, nil
}

// predictionInput reads the input CSV into features of shape inShape.
func predictionInput(f *predictFlags, m *models.Functional, inShape layers.Shape) (*tensor.Dense, error) {
	if m.Tabular != nil {
		table, err := datasets.LoadCSV(f.input, f.csv.options(datasets.CSVOptions{NoHeader: f.noHeader, Encoding: m.Notes["encoding"]}))
		if err != nil {
			return nil, err
		}
		d, err := m.Tabular.Transform(table)
		if err != nil {
			return nil, err
		}
		return d.X, nil
	}
	in, err := os.Open(f.input)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	r := csv.NewReader(in)
	r.ReuseRecord = true
	size := inShape.Size()
	anyLength := m.TakesAnyLength(0)
	if anyLength {
		// Each line is one sequence of any number of steps (all lines of
		// one length), each step inShape[1:].
		size = inShape[1:].Size()
	}
	steps := 0
	var values []float64
	line := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.input, err)
		}
		line++
		if line == 1 && !f.noHeader {
			if _, perr := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64); perr != nil {
				continue // a header line
			}
		}
		switch {
		case anyLength && (len(rec)%size != 0 || steps > 0 && len(rec) != steps*size):
			want := fmt.Sprintf("a multiple of %d (steps of shape %v)", size, inShape[1:])
			if steps > 0 {
				want = fmt.Sprintf("%d (%d steps, as the lines before)", steps*size, steps)
			}
			return nil, fmt.Errorf("%s: line %d has %d values, the model takes %s", f.input, line, len(rec), want)
		case anyLength:
			steps = len(rec) / size
		case len(rec) != size:
			return nil, fmt.Errorf("%s: line %d has %d values, the model takes %d (shape %v)", f.input, line, len(rec), size, inShape)
		}
		for col, cell := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: line %d, column %d: %q is not a number", f.input, line, col+1, cell)
			}
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("%s: no rows to predict", f.input)
	}
	shape := append([]int{len(values) / size}, inShape...)
	if anyLength {
		shape = append([]int{len(values) / (steps * size), steps}, inShape[1:]...)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(values)), nil
}

// writeNamedPredictions writes one CSV row per instance for a model of
// several outputs: each output's values in the order of names, headed by
// the output's name (name_0, name_1, ... for several values).
func writeNamedPredictions(w io.Writer, outs []*tensor.Dense, names []string) error {
	cw := csv.NewWriter(w)
	var header []string
	sizes := make([]int, len(outs))
	for o, out := range outs {
		sizes[o] = out.Shape().TotalSize() / out.Shape()[0]
		if sizes[o] == 1 {
			header = append(header, names[o])
			continue
		}
		for j := 0; j < sizes[o]; j++ {
			header = append(header, fmt.Sprintf("%s_%d", names[o], j))
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rows := outs[0].Shape()[0]
	rec := make([]string, 0, len(header))
	for i := 0; i < rows; i++ {
		rec = rec[:0]
		for o, out := range outs {
			for j := 0; j < sizes[o]; j++ {
				var v float64
				switch d := out.Data().(type) {
				case []float32:
					v = float64(d[i*sizes[o]+j])
				case []float64:
					v = d[i*sizes[o]+j]
				}
				rec = append(rec, strconv.FormatFloat(v, 'g', 6, 64))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writePredictions writes one CSV row per prediction: the class and the
// probabilities for a classifier, the values for a regression.
func writePredictions(w io.Writer, out *tensor.Dense, classNames []string) error {
	cw := csv.NewWriter(w)
	rows, cols := out.Shape()[0], out.Shape().TotalSize()/out.Shape()[0]
	at := func(i int) float64 {
		switch d := out.Data().(type) {
		case []float32:
			return float64(d[i])
		case []float64:
			return d[i]
		}
		return 0
	}
	var header []string
	if len(classNames) == cols {
		header = append(header, "class")
		for _, n := range classNames {
			header = append(header, "p_"+n)
		}
	} else if cols == 1 {
		header = []string{"prediction"}
	} else {
		for j := 0; j < cols; j++ {
			header = append(header, fmt.Sprintf("output_%d", j))
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, 0, len(header))
	for i := 0; i < rows; i++ {
		rec = rec[:0]
		if len(classNames) == cols {
			best := 0
			for j := 1; j < cols; j++ {
				if at(i*cols+j) > at(i*cols+best) {
					best = j
				}
			}
			rec = append(rec, classNames[best])
		}
		for j := 0; j < cols; j++ {
			rec = append(rec, strconv.FormatFloat(at(i*cols+j), 'g', 6, 64))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
