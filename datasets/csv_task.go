package datasets

import (
	"fmt"
	"math"
	"strings"

	"github.com/pkg/errors"
)

// Task is the kind of problem a target column poses.
type Task uint8

const (
	// AutoTask, the zero value, asks for the task to be detected from the
	// target column with Table.DetectTask.
	AutoTask Task = iota
	// Classification targets are class labels: Y holds class ids.
	Classification
	// Regression targets are numbers: Y holds the values.
	Regression
)

// String is "auto", "classification", "regression", or "Task(n)".
func (k Task) String() string {
	switch k {
	case AutoTask:
		return "auto"
	case Classification:
		return "classification"
	case Regression:
		return "regression"
	}
	return fmt.Sprintf("Task(%d)", uint8(k))
}

// ParseTask reads "classification", "regression", and "auto" or "" (both
// AutoTask), in any case: what a --task flag takes.
func ParseTask(s string) (Task, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return AutoTask, nil
	case "classification":
		return Classification, nil
	case "regression":
		return Regression, nil
	}
	return 0, errors.Errorf("task %q is not classification, regression or auto", s)
}

// MarshalText writes the task's String.
func (k Task) MarshalText() ([]byte, error) {
	if k > Regression {
		return nil, errors.Errorf("task: unknown task %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads what ParseTask reads.
func (k *Task) UnmarshalText(b []byte) error {
	t, err := ParseTask(string(b))
	if err != nil {
		return err
	}
	*k = t
	return nil
}

// maxClassesDetected is the most distinct integer values a numeric target may
// hold for DetectTask to call it classification.
const maxClassesDetected = 20

// DetectTask guesses the task that the target column poses, much as
// scikit-learn's type_of_target does:
//
//   - a categorical column is Classification;
//   - a numeric column whose values are all integers is Classification when
//     it holds 2 distinct values or fewer, or at most 20 distinct values and
//     at least two rows per distinct value on average (so 150 rows of 0, 1, 2
//     are classes, while 10 rows of 10 different integers are not);
//   - any other numeric column is Regression.
//
// Missing cells are ignored. It is an error when the column is not there or
// every cell is missing.
func (t *Table) DetectTask(target string) (Task, error) {
	c, err := t.Column(target)
	if err != nil {
		return 0, errors.Wrapf(err, "table %q: detect task", t.Name)
	}
	n := len(c.Cells) - c.MissingCount()
	if n == 0 {
		return 0, errors.Errorf("table %q: detect task: target column %q has no values: all %d cells are missing", t.Name, target, len(c.Cells))
	}
	if c.Kind != Numeric {
		return Classification, nil
	}
	distinct := make(map[float64]bool)
	for i, v := range c.Values {
		if c.IsMissing(i) {
			continue
		}
		if v != math.Trunc(v) {
			return Regression, nil
		}
		distinct[v] = true
		if len(distinct) > maxClassesDetected {
			return Regression, nil
		}
	}
	if k := len(distinct); k <= 2 || 2*k <= n {
		return Classification, nil
	}
	return Regression, nil
}
