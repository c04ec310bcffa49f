package trainer

import (
	"context"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/tensors"
	"github.com/profundo/profundo/metrics"
)

// Evaluate scores m on d in batches of batchSize (zero means 32): the mean
// loss over every sample, as "loss", and each metric by its name. Dropout is
// off. The last, smaller batch counts like the others.
func Evaluate(ctx context.Context, m Model, mets []metrics.Metric, d Data, batchSize int) (Logs, error) {
	if err := d.check("evaluate"); err != nil {
		return nil, err
	}
	bs, err := batchOf(batchSize, d.Len())
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	for _, mt := range mets {
		mt.Reset()
	}
	var loss metrics.Mean
	n := d.Len()
	yBufs := map[int]*tensor.Dense{}
	rows := make([]int, 0, bs)
	used := graphSet{}
	defer used.release()
	for from := 0; from < n; from += bs {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrapf(err, "evaluate: batch %d", from/bs+1)
		}
		to := min(from+bs, n)
		rows = rows[:0]
		for r := from; r < to; r++ {
			rows = append(rows, r)
		}
		l, err := evalStep(m, mets, d, rows, yBufs, used)
		if err != nil {
			return nil, errors.Wrapf(err, "evaluate: batch %d", from/bs+1)
		}
		loss.Add(l, float64(to-from))
	}
	return results(&loss, mets, ""), nil
}

func evalStep(m Model, mets []metrics.Metric, d Data, rows []int, yBufs map[int]*tensor.Dense, used graphSet) (float64, error) {
	g, err := m.Graph(EvalMode, len(rows))
	if err != nil {
		return 0, err
	}
	used[g] = true
	defer g.reset()
	tensors.CopyRows(g.InputValue, d.X, rows)
	tensors.CopyRows(g.TargetValue, d.target(), rows)
	if err := g.run(); err != nil {
		return 0, err
	}
	l, err := tensors.Scalar(g.Loss.Value())
	if err != nil {
		return 0, errors.Wrap(err, "loss")
	}
	if len(mets) > 0 {
		if err := updateMetrics(g, mets, d, rows, yBufs, nil); err != nil {
			return l, err
		}
	}
	return l, nil
}

// Predict runs m on every row of x, in batches of batchSize (zero means 32),
// and returns the outputs, [rows, out...]. Any number of rows works,
// including one.
func Predict(ctx context.Context, m Model, x *tensor.Dense, batchSize int) (*tensor.Dense, error) {
	n := tensors.Rows(x)
	if n == 0 {
		return nil, errors.New("predict: x is empty")
	}
	bs, err := batchOf(batchSize, n)
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	var out *tensor.Dense
	used := graphSet{}
	defer used.release()
	for from := 0; from < n; from += bs {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrapf(err, "predict: batch %d", from/bs+1)
		}
		to := min(from+bs, n)
		if out, err = predictStep(m, x, out, from, to, used); err != nil {
			return nil, errors.Wrapf(err, "predict: rows %d to %d", from, to-1)
		}
	}
	return out, nil
}

func predictStep(m Model, x, out *tensor.Dense, from, to int, used graphSet) (*tensor.Dense, error) {
	g, err := m.Graph(PredictMode, to-from)
	if err != nil {
		return nil, err
	}
	used[g] = true
	defer g.reset()
	tensors.CopyRange(g.InputValue, x, from, to)
	if err := g.run(); err != nil {
		return nil, err
	}
	y, err := g.outputValue()
	if err != nil {
		return nil, err
	}
	if out == nil {
		shape := y.Shape().Clone()
		shape[0] = tensors.Rows(x)
		out = tensor.New(tensor.Of(y.Dtype()), tensor.WithShape(shape...))
	}
	rs := tensors.RowSize(y)
	switch o := out.Data().(type) {
	case []float32:
		copy(o[from*rs:to*rs], y.Data().([]float32))
	case []float64:
		copy(o[from*rs:to*rs], y.Data().([]float64))
	}
	return out, nil
}

func batchOf(batchSize, n int) (int, error) {
	if batchSize < 0 {
		return 0, errors.Errorf("batch size must be > 0, got %d", batchSize)
	}
	if batchSize == 0 {
		batchSize = 32
	}
	return int(math.Min(float64(batchSize), float64(n))), nil
}
