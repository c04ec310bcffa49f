package metrics

import (
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// scores keeps every row's true class and predicted probabilities, which
// ROCAUC and PRAUC need to compute their exact, whole-set values: 8·(k + 1)
// bytes per row for k prediction columns (one column for binary
// predictions), so one million rows of ten classes take about 88 MB.
type scores struct {
	cols    columns
	k       int
	truth   []int
	probs   []float64 // rows × cols, row-major
	version int       // counts changes, so results can be cached
}

// rankConfig is a ranking metric's configuration, as its fields say.
type rankConfig struct {
	name     string
	average  Average
	posLabel *int
	classes  int
}

func (s *scores) update(c rankConfig, yTrue, yPred *tensor.Dense) error {
	err := s.check(c, yTrue, yPred)
	return errors.Wrap(err, c.name)
}

func (s *scores) check(c rankConfig, yTrue, yPred *tensor.Dense) error {
	in, err := readClasses(yTrue, yPred, c.classes, 0)
	if err != nil || in.rows == 0 {
		return err
	}
	avg, err := c.average.resolve(in.cols)
	if err != nil {
		return err
	}
	if avg == AverageBinary {
		if _, err := positive(c.posLabel, in.classes); err != nil {
			return err
		}
	}
	if err := s.cols.check(in.cols); err != nil {
		return err
	}
	s.k = in.classes
	s.truth = append(s.truth, in.truth...)
	for i := 0; i < in.rows; i++ {
		for j := 0; j < in.cols; j++ {
			s.probs = append(s.probs, in.p.at(i, j))
		}
	}
	s.version++
	return nil
}

func (s *scores) reset() { *s = scores{version: s.version + 1} }

// prob is the predicted probability of class c in row i.
func (s *scores) prob(i, c int) float64 {
	if s.cols == 1 {
		p := s.probs[i]
		if c == 0 {
			return 1 - p
		}
		return p
	}
	return s.probs[i*int(s.cols)+c]
}

// binaryFunc scores one binary problem: positive labels and their scores.
type binaryFunc func(positive []bool, score []float64) (float64, error)

// classProblem is the binary problem "class c against the rest".
func (s *scores) classProblem(c int) ([]bool, []float64) {
	pos := make([]bool, len(s.truth))
	sc := make([]float64, len(s.truth))
	for i, t := range s.truth {
		pos[i] = t == c
		sc[i] = s.prob(i, c)
	}
	return pos, sc
}

// perClass scores each class against the rest.
func (s *scores) perClass(name string, f binaryFunc) ([]float64, error) {
	if len(s.truth) == 0 {
		return nil, errNoSamples(name)
	}
	out := make([]float64, s.k)
	for c := range out {
		v, err := f(s.classProblem(c))
		if err != nil {
			return nil, errors.Wrapf(err, "%s: class %d", name, c)
		}
		out[c] = v
	}
	return out, nil
}

// value folds the per-class scores as the configuration says.
func (s *scores) value(c rankConfig, f binaryFunc) (float64, error) {
	if len(s.truth) == 0 {
		return 0, errNoSamples(c.name)
	}
	avg, err := c.average.resolve(int(s.cols))
	if err != nil {
		return 0, errors.Wrap(err, c.name)
	}
	switch avg {
	case AverageBinary:
		pos, err := positive(c.posLabel, s.k)
		if err != nil {
			return 0, errors.Wrap(err, c.name)
		}
		v, err := f(s.classProblem(pos))
		return v, errors.Wrapf(err, "%s: class %d", c.name, pos)
	case AverageMicro:
		n := len(s.truth)
		pos := make([]bool, 0, n*s.k)
		sc := make([]float64, 0, n*s.k)
		for i, t := range s.truth {
			for j := 0; j < s.k; j++ {
				pos = append(pos, t == j)
				sc = append(sc, s.prob(i, j))
			}
		}
		v, err := f(pos, sc)
		return v, errors.Wrap(err, c.name)
	}
	per, err := s.perClass(c.name, f)
	if err != nil {
		return 0, err
	}
	if avg == AverageWeighted {
		support := make([]int, s.k)
		for _, t := range s.truth {
			support[t]++
		}
		return weightedMean(per, support), nil
	}
	return mean(per), nil
}

// ranked orders the rows by descending score and returns, for each
// distinct score, the cumulated true and false positives down to it.
func ranked(positive []bool, score []float64) (tps, fps []int) {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	tp, fp := 0, 0
	for n, i := range idx {
		if positive[i] {
			tp++
		} else {
			fp++
		}
		if n == len(idx)-1 || score[idx[n+1]] != score[i] {
			tps, fps = append(tps, tp), append(fps, fp)
		}
	}
	return tps, fps
}

// rocAUC is the area under the ROC curve drawn through every distinct
// threshold, tied scores making one diagonal step: sklearn's
// roc_auc_score, equal to the Mann-Whitney U statistic over P·N. The sum is
// kept in integers, so it is exact up to the last division.
func rocAUC(positive []bool, score []float64) (float64, error) {
	tps, fps := ranked(positive, score)
	p, n := tps[len(tps)-1], fps[len(fps)-1]
	if p == 0 || n == 0 {
		return 0, errors.Errorf("roc auc is not defined with one class only in yTrue (%d positive, %d negative rows)", p, n)
	}
	var twice int64 // twice the area, in units of 1/(P·N)
	prevTP, prevFP := 0, 0
	for i := range tps {
		twice += int64(fps[i]-prevFP) * int64(tps[i]+prevTP)
		prevTP, prevFP = tps[i], fps[i]
	}
	return float64(twice) / (2 * float64(p) * float64(n)), nil
}

// averagePrecision is sklearn's average_precision_score: the sum over
// distinct thresholds, from the highest, of (Rₙ − Rₙ₋₁)·Pₙ, precision
// weighted by the gain in recall, without interpolation. With no positive
// rows it is 0, as in sklearn 1.2.
func averagePrecision(positive []bool, score []float64) (float64, error) {
	tps, fps := ranked(positive, score)
	p := tps[len(tps)-1]
	if p == 0 {
		return 0, nil
	}
	var ap float64
	prevTP := 0
	for i := range tps {
		if tps[i] != prevTP {
			ap += float64(tps[i]-prevTP) / float64(p) * (float64(tps[i]) / float64(tps[i]+fps[i]))
		}
		prevTP = tps[i]
	}
	return ap, nil
}
