package metrics

import (
	"fmt"
	"math"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// classInput is one checked batch of classification input: the true and the
// predicted class of every row, and a view of the probabilities.
//
// yPred is either one column ([batch] or [batch, 1]), the probability of
// class 1 of a binary problem, or k >= 2 columns of class probabilities.
// yTrue is class ids ([batch] or [batch, 1]) or one-hot rows of yPred's
// shape. A row is predicted as class 1 when its probability is above the
// threshold (one column), or as the column of its largest probability, the
// first one on ties (k columns).
type classInput struct {
	rows    int
	cols    int // columns of yPred
	classes int // cols, or 2 for one column
	truth   []int
	pred    []int
	p       matrix
}

// readClasses checks and reads a batch as described on classInput. classes
// is the declared number of classes (zero: yPred's columns, or 2 for one
// column) and threshold the cut for one-column predictions (zero: 0.5).
func readClasses(yTrue, yPred *tensor.Dense, classes int, threshold float64) (classInput, error) {
	if classes < 0 {
		return classInput{}, errors.Errorf("classes must be >= 0, got %d", classes)
	}
	if math.IsNaN(threshold) || threshold < 0 || threshold > 1 {
		return classInput{}, errors.Errorf("threshold must be in [0, 1], got %v", threshold)
	}
	if threshold == 0 {
		threshold = 0.5
	}
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return classInput{}, err
	}
	in := classInput{rows: t.rows, cols: p.cols, classes: p.cols, p: p}
	if p.cols == 1 {
		in.classes = 2
	}
	if classes != 0 && classes != in.classes {
		return classInput{}, errors.Errorf("classes is %d, but yPred shape %v holds %d classes", classes, yPred.Shape(), in.classes)
	}
	if t.cols != 1 && t.cols != p.cols {
		return classInput{}, errors.Errorf("yTrue shape %v and yPred shape %v: want class ids [batch] or [batch, 1], or one-hot rows of yPred's shape", yTrue.Shape(), yPred.Shape())
	}
	for i := 0; i < p.rows; i++ {
		for j := 0; j < p.cols; j++ {
			if v := p.at(i, j); !(v >= 0 && v <= 1) {
				return classInput{}, errors.Errorf("yPred row %d column %d: %v is not a probability in [0, 1]", i, j, v)
			}
		}
	}
	in.truth = make([]int, t.rows)
	in.pred = make([]int, t.rows)
	for i := 0; i < t.rows; i++ {
		if t.cols == 1 {
			id := t.at(i, 0)
			if id != math.Trunc(id) || id < 0 || id >= float64(in.classes) {
				return classInput{}, errors.Errorf("yTrue row %d: class id %v is not an integer in [0, %d)", i, id, in.classes)
			}
			in.truth[i] = int(id)
		} else {
			c, ok := oneHot(t, i)
			if !ok {
				return classInput{}, errors.Errorf("yTrue row %d is not one-hot: %s", i, rowString(t, i))
			}
			in.truth[i] = c
		}
		if p.cols == 1 {
			if p.at(i, 0) > threshold {
				in.pred[i] = 1
			}
		} else {
			in.pred[i] = p.argmax(i)
		}
	}
	return in, nil
}

// oneHot is the column of the single 1 in row i, and false when the row
// holds anything but one 1 and zeros.
func oneHot(m matrix, i int) (int, bool) {
	c := -1
	for j := 0; j < m.cols; j++ {
		switch m.at(i, j) {
		case 0:
		case 1:
			if c >= 0 {
				return 0, false
			}
			c = j
		default:
			return 0, false
		}
	}
	return c, c >= 0
}

// rowString formats row i of m as [a b c], at most 10 values.
func rowString(m matrix, i int) string {
	var b strings.Builder
	b.WriteByte('[')
	for j := 0; j < m.cols; j++ {
		if j == 10 {
			b.WriteString(" ...")
			break
		}
		if j > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, m.at(i, j))
	}
	b.WriteByte(']')
	return b.String()
}

// columns remembers the number of prediction columns of the first batch and
// refuses later batches with another number.
type columns int

func (c *columns) check(cols int) error {
	if *c != 0 && int(*c) != cols {
		return errors.Errorf("yPred has %d columns, earlier batches had %d", cols, int(*c))
	}
	*c = columns(cols)
	return nil
}

// confusion counts rows by true class (row) and predicted class (column).
type confusion struct {
	cols   columns
	k      int
	n      int
	counts []int // counts[t*k+p]
}

// add counts a checked batch; it counts nothing, and says why, when the
// batch has another number of prediction columns than the earlier ones. An
// empty batch changes nothing.
func (c *confusion) add(in classInput) error {
	if in.rows == 0 {
		return nil
	}
	if err := c.cols.check(in.cols); err != nil {
		return err
	}
	if c.counts == nil {
		c.k = in.classes
		c.counts = make([]int, c.k*c.k)
	}
	for i := range in.truth {
		c.counts[in.truth[i]*c.k+in.pred[i]]++
	}
	c.n += in.rows
	return nil
}

func (c *confusion) reset() { *c = confusion{} }

// sums are the per-class true positives, predicted counts and true counts
// (support).
func (c *confusion) sums() (tp, predSum, trueSum []int) {
	tp, predSum, trueSum = make([]int, c.k), make([]int, c.k), make([]int, c.k)
	for t := 0; t < c.k; t++ {
		for p := 0; p < c.k; p++ {
			v := c.counts[t*c.k+p]
			trueSum[t] += v
			predSum[p] += v
			if t == p {
				tp[t] += v
			}
		}
	}
	return tp, predSum, trueSum
}

// ratio is a / b, or 0 when b is 0: sklearn's zero_division="warn".
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// fScore is F-beta from precision and recall, as sklearn computes it: 0 when
// both are 0.
func fScore(precision, recall, beta float64) float64 {
	beta2 := beta * beta
	denom := beta2*precision + recall
	if denom == 0 {
		return 0
	}
	return (1 + beta2) * precision * recall / denom
}

// prfKind picks precision, recall or F-beta out of prf.
type prfKind int

const (
	kindPrecision prfKind = iota
	kindRecall
	kindF
)

// prf is precision, recall or F-beta for every class.
func (c *confusion) prf(kind prfKind, beta float64) []float64 {
	tp, predSum, trueSum := c.sums()
	out := make([]float64, c.k)
	for i := range out {
		p, r := ratio(tp[i], predSum[i]), ratio(tp[i], trueSum[i])
		out[i] = pick(kind, p, r, beta)
	}
	return out
}

func pick(kind prfKind, p, r, beta float64) float64 {
	switch kind {
	case kindPrecision:
		return p
	case kindRecall:
		return r
	}
	return fScore(p, r, beta)
}

// prfAverage is precision, recall or F-beta folded by avg (already
// resolved); pos is the positive class for AverageBinary.
func (c *confusion) prfAverage(kind prfKind, beta float64, avg Average, pos int) float64 {
	switch avg {
	case AverageMicro:
		tp, predSum, trueSum := c.sums()
		var t, ps, ts int
		for i := range tp {
			t, ps, ts = t+tp[i], ps+predSum[i], ts+trueSum[i]
		}
		return pick(kind, ratio(t, ps), ratio(t, ts), beta)
	case AverageBinary:
		return c.prf(kind, beta)[pos]
	case AverageWeighted:
		_, _, support := c.sums()
		return weightedMean(c.prf(kind, beta), support)
	}
	return mean(c.prf(kind, beta))
}

// mean is the plain mean of v, 0 when v is empty.
func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// weightedMean is sum(v*w) / sum(w), 0 when the weights sum to 0.
func weightedMean(v []float64, w []int) float64 {
	var s float64
	var ws int
	for i, x := range v {
		s += x * float64(w[i])
		ws += w[i]
	}
	if ws == 0 {
		return 0
	}
	return s / float64(ws)
}

// errNoSamples is the error of a metric that has seen no rows.
func errNoSamples(name string) error {
	return errors.Errorf("%s: no samples since the last reset", name)
}
