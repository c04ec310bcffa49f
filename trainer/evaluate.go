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
	sc := newScores(m, mets)
	sc.reset()
	n := d.Len()
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
		if err := evalStep(m, sc, d, rows, from/bs, used); err != nil {
			return nil, errors.Wrapf(err, "evaluate: batch %d", from/bs+1)
		}
	}
	return sc.logs(""), nil
}

func evalStep(m Model, sc *scores, d Data, rows []int, batch int, used graphSet) error {
	g, err := graphFor(m, EvalMode, len(rows), d)
	if err != nil {
		return err
	}
	used[g] = true
	defer g.reset()
	if err := g.feed(d, rows); err != nil {
		return err
	}
	g.fillFeeds(inferenceStream(batch))
	if err := g.run(); err != nil {
		return err
	}
	_, err = sc.add(g, d, rows, nil)
	return err
}

// Predict runs m on every row of xs (one tensor per input, in the model's
// order), in batches of batchSize (zero means 32), and returns every
// output, [rows, out_i...], in the model's order. Any number of rows works,
// one included.
func Predict(ctx context.Context, m Model, xs []*tensor.Dense, batchSize int) ([]*tensor.Dense, error) {
	if len(xs) == 0 || xs[0] == nil {
		return nil, errors.New("predict: x is nil")
	}
	n := tensors.Rows(xs[0])
	if n == 0 {
		return nil, errors.New("predict: x is empty")
	}
	for i, x := range xs[1:] {
		if x == nil {
			return nil, errors.Errorf("predict: input %d is nil", i+1)
		}
		if r := tensors.Rows(x); r != n {
			return nil, errors.Errorf("predict: input 0 has %d rows but input %d has %d", n, i+1, r)
		}
	}
	bs, err := batchOf(batchSize, n)
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	d := Data{X: xs}
	var outs []*tensor.Dense
	used := graphSet{}
	defer used.release()
	rows := make([]int, 0, bs)
	for from := 0; from < n; from += bs {
		if err := ctx.Err(); err != nil {
			return nil, errors.Wrapf(err, "predict: batch %d", from/bs+1)
		}
		to := min(from+bs, n)
		rows = rows[:0]
		for r := from; r < to; r++ {
			rows = append(rows, r)
		}
		if outs, err = predictStep(m, d, outs, rows, from/bs, n, used); err != nil {
			return nil, errors.Wrapf(err, "predict: rows %d to %d", from, to-1)
		}
	}
	return outs, nil
}

func predictStep(m Model, d Data, outs []*tensor.Dense, rows []int, batch, n int, used graphSet) ([]*tensor.Dense, error) {
	g, err := graphFor(m, PredictMode, len(rows), d)
	if err != nil {
		return nil, err
	}
	used[g] = true
	defer g.reset()
	if err := g.feed(d, rows); err != nil {
		return nil, err
	}
	g.fillFeeds(inferenceStream(batch))
	if err := g.run(); err != nil {
		return nil, err
	}
	from, to := rows[0], rows[len(rows)-1]+1
	for i := range g.Outputs {
		y, err := g.outputValue(i)
		if err != nil {
			return nil, err
		}
		if len(outs) <= i {
			shape := y.Shape().Clone()
			shape[0] = n
			outs = append(outs, tensor.New(tensor.Of(y.Dtype()), tensor.WithShape(shape...)))
		}
		rs := tensors.RowSize(y)
		switch o := outs[i].Data().(type) {
		case []float32:
			copy(o[from*rs:to*rs], y.Data().([]float32))
		case []float64:
			copy(o[from*rs:to*rs], y.Data().([]float64))
		}
	}
	return outs, nil
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
