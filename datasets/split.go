package datasets

import (
	"math"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
)

// TrainTestSplit shuffles the rows of d with rng.Perm and puts a fraction
// testFraction of them, in (0, 1), into test and the rest into train; both
// parts are copies and both are non-empty. round(n·testFraction) rows go to
// test, at least 1 and at most n-1.
//
// With stratify, Y must hold class ids ([n] or [n, 1] non-negative integers)
// and each class is split on its own: round(count·testFraction) of its rows go
// to test, and every class with at least 2 rows has at least one on each side
// (a class with a single row goes to train). Within each part the rows keep
// the shuffled order. The same rng state gives the same split.
//
// d may hold NaN values (cleaning can be fitted on train only); its X must be
// present with n >= 2 rows, and Y, when present, must have n rows.
func TrainTestSplit(d *Dataset, testFraction float64, rng *rand.Rand, stratify bool) (train, test *Dataset, err error) {
	if d == nil {
		return nil, nil, errors.New("split: dataset is nil")
	}
	if rng == nil {
		return nil, nil, errors.Errorf("dataset %q: split: rng is nil", d.Name)
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, errors.Errorf("dataset %q: split: test fraction must be in (0, 1), got %v", d.Name, testFraction)
	}
	if err := d.checkRows(stratify); err != nil {
		return nil, nil, errors.Wrap(err, "split")
	}
	n := d.Len()
	if n < 2 {
		return nil, nil, errors.Errorf("dataset %q: split: need at least 2 rows, got %d", d.Name, n)
	}
	var ids []int
	if stratify {
		if ids, err = classIDs(d); err != nil {
			return nil, nil, errors.Wrap(err, "split")
		}
	}
	perm := rng.Perm(n)
	inTest := make([]bool, n)
	if stratify {
		markStratified(perm, ids, testFraction, inTest)
	} else {
		nTest := clamp(int(math.Round(float64(n)*testFraction)), 1, n-1)
		for _, r := range perm[:nTest] {
			inTest[r] = true
		}
	}
	var trainIdx, testIdx []int
	for _, r := range perm {
		if inTest[r] {
			testIdx = append(testIdx, r)
		} else {
			trainIdx = append(trainIdx, r)
		}
	}
	if len(testIdx) == 0 {
		return nil, nil, errors.Errorf("dataset %q: split: stratified test part of %d rows with fraction %v is empty: every class has a single row", d.Name, n, testFraction)
	}
	if train, err = d.Subset(trainIdx); err != nil {
		return nil, nil, errors.Wrap(err, "split")
	}
	if test, err = d.Subset(testIdx); err != nil {
		return nil, nil, errors.Wrap(err, "split")
	}
	return train, test, nil
}

// markStratified marks, class by class, the first round(count·fraction) rows
// of each class in perm order as test rows.
func markStratified(perm, ids []int, fraction float64, inTest []bool) {
	byClass := make(map[int][]int)
	for _, r := range perm {
		byClass[ids[r]] = append(byClass[ids[r]], r)
	}
	classes := make([]int, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Ints(classes)
	for _, c := range classes {
		members := byClass[c]
		m := len(members)
		if m < 2 {
			continue
		}
		for _, r := range members[:clamp(int(math.Round(float64(m)*fraction)), 1, m-1)] {
			inTest[r] = true
		}
	}
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// classIDs reads Y, [n] or [n, 1], as non-negative integer class ids.
func classIDs(d *Dataset) ([]int, error) {
	s := d.Y.Shape()
	if !(len(s) == 1 || (len(s) == 2 && s[1] == 1)) {
		return nil, errors.Errorf("dataset %q: stratify needs Y of class ids [n] or [n, 1], got shape %v", d.Name, s)
	}
	y, err := contiguous(d.Y)
	if err != nil {
		return nil, errors.Wrapf(err, "dataset %q: Y", d.Name)
	}
	n := s[0]
	ids := make([]int, n)
	var vals func(i int) float64
	switch data := y.Data().(type) {
	case []float32:
		vals = func(i int) float64 { return float64(data[i]) }
	case []float64:
		vals = func(i int) float64 { return data[i] }
	case []int:
		vals = func(i int) float64 { return float64(data[i]) }
	case []int64:
		vals = func(i int) float64 { return float64(data[i]) }
	default:
		return nil, errors.Errorf("dataset %q: Y dtype must be float32, float64, int or int64, got %v", d.Name, y.Dtype())
	}
	for i := range ids {
		v := vals(i)
		if v != math.Trunc(v) || v < 0 || v > math.MaxInt32 {
			return nil, errors.Errorf("dataset %q: Y row %d: class id %v is not a non-negative integer", d.Name, i, v)
		}
		ids[i] = int(v)
	}
	return ids, nil
}
