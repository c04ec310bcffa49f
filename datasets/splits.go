package datasets

import (
	"math"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
)

// SplitFractions are the shares of the rows that Split puts in each part.
// Each is >= 0 and together they sum to 1 (within 1e-9). A zero fraction
// means no such part.
type SplitFractions struct {
	Train, Validation, Test float64
}

// fractionTolerance is how far from 1 the fractions may sum.
const fractionTolerance = 1e-9

// Split shuffles the rows of d with rng.Perm and divides them into train,
// validation and test parts of the given fractions: every row lands in
// exactly one part, and each part is a copy (see Dataset.Subset) whose rows
// keep the shuffled order. A part with a zero fraction is nil; every part
// with a positive fraction has at least one row. The part sizes are the
// fractions of n rounded so that they sum to n (largest remainders, ties to
// the earlier part).
//
// With stratify, Y must hold class ids ([n] or [n, 1] non-negative integers)
// and each class is divided on its own in the same way, so every part keeps
// the class shares; a class with at least as many rows as there are parts
// has a row in each part.
//
// The same rng state gives the same split. Errors: fractions that are
// negative or do not sum to 1 (the error shows the sum), a nil dataset or
// rng, fewer rows than parts, an empty stratified part.
func Split(d *Dataset, f SplitFractions, rng *rand.Rand, stratify bool) (train, val, test *Dataset, err error) {
	if d == nil {
		return nil, nil, nil, errors.New("split: dataset is nil")
	}
	fr := []float64{f.Train, f.Validation, f.Test}
	sum := 0.0
	for i, x := range fr {
		if !(x >= 0) || math.IsInf(x, 0) {
			return nil, nil, nil, errors.Errorf("dataset %q: split: the %s fraction must be >= 0, got %v", d.Name, partName(i), x)
		}
		sum += x
	}
	if math.Abs(sum-1) > fractionTolerance {
		return nil, nil, nil, errors.Errorf("dataset %q: split: fractions train %v + validation %v + test %v sum to %.10g, want 1", d.Name, f.Train, f.Validation, f.Test, sum)
	}
	if rng == nil {
		return nil, nil, nil, errors.Errorf("dataset %q: split: rng is nil", d.Name)
	}
	if err := d.checkRows(stratify); err != nil {
		return nil, nil, nil, errors.Wrap(err, "split")
	}
	n, parts := d.Len(), 0
	for _, x := range fr {
		if x > 0 {
			parts++
		}
	}
	if n < parts {
		return nil, nil, nil, errors.Errorf("dataset %q: split: %d rows cannot fill %d non-empty parts", d.Name, n, parts)
	}
	var ids []int
	if stratify {
		if ids, err = classIDs(d); err != nil {
			return nil, nil, nil, errors.Wrap(err, "split")
		}
	}
	perm := rng.Perm(n)
	var idx [3][]int
	if stratify {
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
			deal(byClass[c], fr, &idx)
		}
		// Keep the shuffled order within each part.
		pos := make([]int, n)
		for i, r := range perm {
			pos[r] = i
		}
		for p := range idx {
			sort.Slice(idx[p], func(a, b int) bool { return pos[idx[p][a]] < pos[idx[p][b]] })
		}
	} else {
		deal(perm, fr, &idx)
	}
	var out [3]*Dataset
	for p := range idx {
		if fr[p] == 0 {
			continue
		}
		if len(idx[p]) == 0 {
			return nil, nil, nil, errors.Errorf("dataset %q: split: the stratified %s part is empty: each class has fewer rows than there are parts", d.Name, partName(p))
		}
		if out[p], err = d.Subset(idx[p]); err != nil {
			return nil, nil, nil, errors.Wrapf(err, "split: %s", partName(p))
		}
	}
	return out[0], out[1], out[2], nil
}

// partName names part p in errors.
func partName(p int) string {
	return [...]string{"train", "validation", "test"}[p]
}

// deal appends rows to the parts in the sizes partSizes gives.
func deal(rows []int, fr []float64, idx *[3][]int) {
	sizes := partSizes(len(rows), fr)
	start := 0
	for p, k := range sizes {
		idx[p] = append(idx[p], rows[start:start+k]...)
		start += k
	}
}

// partSizes divides m rows by the fractions fr: floor(m·f) each, then the
// rows left over one by one to the largest remainders (ties to the earlier
// part); then, when m is at least the number of positive fractions, each
// positive part left empty takes a row from the largest part.
func partSizes(m int, fr []float64) []int {
	sizes := make([]int, len(fr))
	rem := make([]float64, len(fr))
	left := m
	for p, f := range fr {
		q := float64(m) * f
		sizes[p] = int(math.Floor(q))
		rem[p] = q - float64(sizes[p])
		left -= sizes[p]
	}
	order := []int{0, 1, 2}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for i := 0; left > 0; i = (i + 1) % len(order) {
		if p := order[i]; fr[p] > 0 {
			sizes[p]++
			left--
		}
	}
	positive := 0
	for _, f := range fr {
		if f > 0 {
			positive++
		}
	}
	if m < positive {
		return sizes
	}
	for p, f := range fr {
		if f > 0 && sizes[p] == 0 {
			big := 0
			for q := range sizes {
				if sizes[q] > sizes[big] {
					big = q
				}
			}
			sizes[big]--
			sizes[p]++
		}
	}
	return sizes
}
