package trainer

import (
	"fmt"
	"math"
	"slices"
)

// TerminateOnNaN stops training cleanly (ErrStop) as soon as a logged
// value is NaN or infinite: the running logs at the end of each batch and
// the epoch's logs, val_ values included, at its end. Keras's
// TerminateOnNaN watches only the batch loss; Fit already ends with an
// error when a batch's loss is not finite, so what this adds is a clean
// stop on a diverging validation value or metric, with the history up to
// the last finite epoch. Its zero value is ready to use.
type TerminateOnNaN struct {
	reason string
}

var _ Callback = (*TerminateOnNaN)(nil)

// On checks the logs at the end of each batch and epoch.
func (t *TerminateOnNaN) On(e *Event) error {
	switch e.Kind {
	case TrainBegin:
		t.reason = ""
	case BatchEnd, EpochEnd:
		if name, v, bad := firstNonFinite(e); bad {
			where := fmt.Sprintf("epoch %d", e.Epoch+1)
			if e.Kind == BatchEnd {
				where += fmt.Sprintf(", batch %d", e.Batch+1)
			}
			t.reason = fmt.Sprintf("%s: %s is %v", where, name, v)
			return ErrStop
		}
	}
	return nil
}

// firstNonFinite returns the first value of e.Logs, in the order of
// e.Names and then by name, that is NaN or infinite.
func firstNonFinite(e *Event) (string, float64, bool) {
	nonFinite := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	found := false
	for _, v := range e.Logs {
		found = found || nonFinite(v)
	}
	if !found {
		return "", 0, false
	}
	names := slices.Clone(e.Names)
	var rest []string
	for k := range e.Logs {
		if !slices.Contains(names, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, n := range append(names, rest...) {
		if v, ok := e.Logs[n]; ok && nonFinite(v) {
			return n, v, true
		}
	}
	return "", 0, false
}

// Terminated reports whether the last Fit was stopped, and why: "epoch 3:
// val_loss is NaN".
func (t *TerminateOnNaN) Terminated() (reason string, ok bool) {
	return t.reason, t.reason != ""
}
