package metrics

import (
	"fmt"

	"github.com/pkg/errors"
)

// Average says how a classification metric folds its per-class values into
// the one number Result returns. The zero value, AverageAuto, picks what
// scikit-learn's and Keras's users expect from the shape of the predictions.
type Average int

const (
	// AverageAuto is AverageBinary when yPred has one column (the
	// probability of class 1, sklearn's default average="binary") and
	// AverageMacro when yPred has k >= 2 columns (sklearn's default for
	// ROC AUC and average precision, and what Keras's F1Score users pick for
	// one number).
	AverageAuto Average = iota
	// AverageBinary is the value of the positive class alone (PosLabel,
	// class 1 unless set), for any number of classes.
	AverageBinary
	// AverageMacro is the unweighted mean over every class, classes that
	// never occur and are never predicted included (sklearn with
	// labels=range(k)).
	AverageMacro
	// AverageMicro pools every class's counts first: for single-label
	// precision, recall and F-scores it equals accuracy; for ROC AUC and
	// average precision it scores every (row, class) pair of the one-hot
	// targets as one binary problem, which is what Keras's AUC does with
	// [batch, k] inputs.
	AverageMicro
	// AverageWeighted is the mean over classes weighted by each class's
	// number of true rows (its support).
	AverageWeighted
)

// String is the name sklearn gives the average: "binary", "macro", "micro",
// "weighted", or "auto".
func (a Average) String() string {
	switch a {
	case AverageAuto:
		return "auto"
	case AverageBinary:
		return "binary"
	case AverageMacro:
		return "macro"
	case AverageMicro:
		return "micro"
	case AverageWeighted:
		return "weighted"
	}
	return fmt.Sprintf("Average(%d)", int(a))
}

// resolve turns AverageAuto into what it stands for with predictions of
// cols columns, and refuses unknown values.
func (a Average) resolve(cols int) (Average, error) {
	switch a {
	case AverageAuto:
		if cols == 1 {
			return AverageBinary, nil
		}
		return AverageMacro, nil
	case AverageBinary, AverageMacro, AverageMicro, AverageWeighted:
		return a, nil
	}
	return 0, errors.Errorf("unknown average %d", int(a))
}

// positive is the positive class: *posLabel, or 1 when posLabel is nil. It
// must be a class in [0, k).
func positive(posLabel *int, k int) (int, error) {
	pos := 1
	if posLabel != nil {
		pos = *posLabel
	}
	if pos < 0 || pos >= k {
		return 0, errors.Errorf("positive class %d is not in [0, %d)", pos, k)
	}
	return pos, nil
}
