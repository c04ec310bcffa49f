package tuner

import (
	"math"
	"strings"

	"github.com/pkg/errors"
)

// Direction says whether an objective improves by rising or by falling.
type Direction int

const (
	// Auto infers the direction from the metric's name, as
	// trainer.ModeAuto does: names holding "loss", "error" or an error's
	// short name (mse, mae, rmse, mape, crossentropy) fall; names holding
	// "acc", "auc", "precision", "recall", "f1", "r2" and the like rise.
	// Another name is an error before any trial.
	Auto Direction = iota
	// Max counts a higher value as better.
	Max
	// Min counts a lower value as better.
	Min
)

// String returns "auto", "max" or "min".
func (d Direction) String() string {
	switch d {
	case Auto:
		return "auto"
	case Max:
		return "max"
	case Min:
		return "min"
	}
	return "unknown"
}

// ParseDirection reads "auto", "max" or "min".
func ParseDirection(s string) (Direction, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return Auto, nil
	case "max":
		return Max, nil
	case "min":
		return Min, nil
	}
	return Auto, errors.Errorf("direction must be auto, max or min, got %q", s)
}

// Objective is what a search optimizes: a value Fit logs after each epoch,
// its value after a trial's last epoch (averaged over executions) being the
// trial's score. The zero value minimizes "val_loss".
type Objective struct {
	// Metric is a name the trial's Fit logs: "val_accuracy", "val_loss",
	// "loss". Empty means "val_loss". A trial that does not log it fails at
	// its start with the names it does log.
	Metric string
	// Direction says which way is better; the zero value, Auto, infers it
	// from Metric.
	Direction Direction
}

// resolve fills in the defaults and the direction.
func (o Objective) resolve() (Objective, error) {
	if o.Metric == "" {
		o.Metric = "val_loss"
	}
	switch o.Direction {
	case Max, Min:
		return o, nil
	case Auto:
		rise, ok := rises(o.Metric)
		if !ok {
			return o, errors.Errorf("objective %q: cannot tell whether it should rise or fall; set Direction to Max or Min", o.Metric)
		}
		o.Direction = Min
		if rise {
			o.Direction = Max
		}
		return o, nil
	}
	return o, errors.Errorf("objective %q: unknown direction %d", o.Metric, int(o.Direction))
}

// Better reports whether score a beats score b: a NaN beats nothing, any
// other value beats a NaN. With Auto, the direction comes from the
// metric's name (higher is better when the name does not say); a search's
// Results hold the objective resolved.
func (o Objective) Better(a, b float64) bool {
	if o.Direction == Auto {
		if r, err := o.resolve(); err == nil {
			o = r
		}
	}
	return o.better(a, b)
}

// better reports whether score a beats score b, o resolved. NaN beats
// nothing.
func (o Objective) better(a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	case o.Direction == Min:
		return a < b
	}
	return a > b
}

// String returns "val_accuracy (max)".
func (o Objective) String() string {
	return o.Metric + " (" + o.Direction.String() + ")"
}

// rises reports whether a metric improves by rising, and false for ok when
// its name does not say; the same words as trainer's ModeAuto.
func rises(name string) (rise, ok bool) {
	falling := []string{"loss", "error", "mse", "mae", "rmse", "mape", "crossentropy", "hinge", "divergence"}
	rising := []string{"acc", "auc", "precision", "recall", "f1", "fbeta", "r2", "matthews", "mcc", "explained_variance"}
	base := strings.ToLower(strings.TrimPrefix(name, "val_"))
	for _, w := range falling {
		if strings.Contains(base, w) {
			return false, true
		}
	}
	for _, w := range rising {
		if strings.Contains(base, w) {
			return true, true
		}
	}
	return false, false
}
