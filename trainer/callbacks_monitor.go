package trainer

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// MonitorMode says whether a monitored value improves by falling or by
// rising, as Keras's mode="auto" | "min" | "max".
type MonitorMode int

const (
	// ModeAuto infers the direction from the monitored name, with or without
	// its "val_" prefix: names holding "loss", "error" or a short error name
	// (mse, mae, rmse, mape, crossentropy) fall; names holding "acc", "auc",
	// "precision", "recall", "f1", "fbeta", "r2", "matthews", "mcc" or
	// "explained_variance" rise. Any other name is an error at the start of
	// Fit that asks for ModeMin or ModeMax, as in Keras 3.
	ModeAuto MonitorMode = iota
	// ModeMin counts a fall as an improvement.
	ModeMin
	// ModeMax counts a rise as an improvement.
	ModeMax
)

// String returns "auto", "min" or "max".
func (m MonitorMode) String() string {
	switch m {
	case ModeAuto:
		return "auto"
	case ModeMin:
		return "min"
	case ModeMax:
		return "max"
	}
	return fmt.Sprintf("MonitorMode(%d)", int(m))
}

// rises reports whether name improves by rising (true) or falling (false),
// and false for ok when its name does not say. Falling words are tried
// first: "log_loss" falls.
func rises(name string) (rise, ok bool) {
	fallingWords := []string{"loss", "error", "mse", "mae", "rmse", "mape", "crossentropy", "hinge", "divergence"}
	risingWords := []string{"acc", "auc", "precision", "recall", "f1", "fbeta", "r2", "matthews", "mcc", "explained_variance"}
	base := strings.ToLower(strings.TrimPrefix(name, "val_"))
	for _, w := range fallingWords {
		if strings.Contains(base, w) {
			return false, true
		}
	}
	for _, w := range risingWords {
		if strings.Contains(base, w) {
			return true, true
		}
	}
	return false, false
}

// monitor is what the callbacks that watch one logged value share: the
// name, the direction and the least change that counts.
type monitor struct {
	name     string
	rise     bool
	minDelta float64
}

// newMonitor checks name ("" means "val_loss") against the names Fit logs
// and resolves mode. what names the callback in errors.
func newMonitor(what, name string, mode MonitorMode, minDelta float64, names []string) (monitor, error) {
	if name == "" {
		name = "val_loss"
	}
	if !slices.Contains(names, name) {
		hint := ""
		if strings.HasPrefix(name, "val_") && !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "val_") }) {
			hint = "; val_ values are logged only with validation data (FitConfig.ValidationSplit or ValidationData)"
		}
		return monitor{}, errors.Errorf("%s: monitor %q is not logged; the logs hold %s%s", what, name, strings.Join(names, ", "), hint)
	}
	if math.IsNaN(minDelta) || minDelta < 0 {
		return monitor{}, errors.Errorf("%s: min delta must be >= 0, got %v", what, minDelta)
	}
	m := monitor{name: name, minDelta: minDelta}
	switch mode {
	case ModeMin:
	case ModeMax:
		m.rise = true
	case ModeAuto:
		rise, ok := rises(name)
		if !ok {
			return monitor{}, errors.Errorf("%s: cannot tell whether %q improves by falling or rising; set Mode to ModeMin or ModeMax", what, name)
		}
		m.rise = rise
	default:
		return monitor{}, errors.Errorf("%s: mode must be ModeAuto, ModeMin or ModeMax, got %d", what, int(mode))
	}
	return m, nil
}

// worst is the reference a first value always beats.
func (m monitor) worst() float64 {
	if m.rise {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// better reports whether v improves on ref by more than the min delta, as
// Keras's monitor_op(v - min_delta, ref). NaN never improves.
func (m monitor) better(v, ref float64) bool {
	if m.rise {
		return v-m.minDelta > ref
	}
	return v+m.minDelta < ref
}

// value returns the monitored value from e's logs.
func (m monitor) value(what string, e *Event) (float64, error) {
	v, ok := e.Logs[m.name]
	if !ok {
		return 0, errors.Errorf("%s: epoch %d: monitor %q is not in the logs", what, e.Epoch+1, m.name)
	}
	return v, nil
}

// weightsCopy is a deep copy of a model's weight values, in the order of
// Weights().
type weightsCopy []any

// copyWeights returns deep copies of the values of ws.
func copyWeights(ws []*layers.Weight) (weightsCopy, error) {
	out := make(weightsCopy, len(ws))
	for i, w := range ws {
		if w == nil || w.Value == nil {
			return nil, errors.Errorf("weight %d has no value", i)
		}
		switch d := w.Value.Data().(type) {
		case []float32:
			out[i] = slices.Clone(d)
		case []float64:
			out[i] = slices.Clone(d)
		default:
			return nil, errors.Errorf("weight %q holds %v values, want float32 or float64", w.Name, w.Value.Dtype())
		}
	}
	return out, nil
}

// restore writes c back into the values of ws, in place, so that every
// graph bound to them sees the restored weights.
func (c weightsCopy) restore(ws []*layers.Weight) error {
	if len(ws) != len(c) {
		return errors.Errorf("the model has %d weights, %d were kept", len(ws), len(c))
	}
	for i, w := range ws {
		if err := restoreInto(w.Value, c[i]); err != nil {
			return errors.Wrapf(err, "weight %q", w.Name)
		}
	}
	return nil
}

func restoreInto(t *tensor.Dense, kept any) error {
	switch d := t.Data().(type) {
	case []float32:
		k, ok := kept.([]float32)
		if !ok || len(k) != len(d) {
			return errors.Errorf("holds %d float32 values, the kept copy does not match", len(d))
		}
		copy(d, k)
	case []float64:
		k, ok := kept.([]float64)
		if !ok || len(k) != len(d) {
			return errors.Errorf("holds %d float64 values, the kept copy does not match", len(d))
		}
		copy(d, k)
	default:
		return errors.Errorf("holds %v values, want float32 or float64", t.Dtype())
	}
	return nil
}
