package ops

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// shifted returns x - max(x) along axis, and exp of it. Gorgonia's SoftMax
// and LogSoftMax are not used: in tensor v0.9.24 they shift every row by the
// batch's first value instead of the row's own maximum (softMaxLastDimF64
// starts from xArr[0]), so a row far from that value overflows or underflows
// to Inf or NaN; and the two ops hash alike, so a graph holding both returns
// one for the other. The gradient through the maximum cancels exactly.
func shifted(x *gorgonia.Node, axis int) (xs, e *gorgonia.Node, err error) {
	m, err := gorgonia.Max(x, axis)
	if err != nil {
		return nil, nil, errors.Wrap(err, "row maxima")
	}
	if xs, err = gorgonia.BroadcastSub(x, m, nil, []byte{byte(axis)}); err != nil {
		return nil, nil, errors.Wrap(err, "x - max")
	}
	if e, err = gorgonia.Exp(xs); err != nil {
		return nil, nil, errors.Wrap(err, "exp")
	}
	return xs, e, nil
}

// Softmax is exp(x) / sum(exp(x)) along axis, computed stably.
func Softmax(x *gorgonia.Node, axis int) (*gorgonia.Node, error) {
	_, e, err := shifted(x, axis)
	if err != nil {
		return nil, errors.Wrap(err, "softmax")
	}
	s, err := gorgonia.Sum(e, axis)
	if err != nil {
		return nil, errors.Wrap(err, "softmax: sums")
	}
	out, err := gorgonia.BroadcastHadamardDiv(e, s, nil, []byte{byte(axis)})
	if err != nil {
		return nil, errors.Wrap(err, "softmax: divide by the sums")
	}
	return out, nil
}

// LogSoftmax is x - log(sum(exp(x))) along axis, computed stably.
func LogSoftmax(x *gorgonia.Node, axis int) (*gorgonia.Node, error) {
	xs, e, err := shifted(x, axis)
	if err != nil {
		return nil, errors.Wrap(err, "log softmax")
	}
	s, err := gorgonia.Sum(e, axis)
	if err != nil {
		return nil, errors.Wrap(err, "log softmax: sums")
	}
	ls, err := gorgonia.Log(s)
	if err != nil {
		return nil, errors.Wrap(err, "log softmax: log")
	}
	out, err := gorgonia.BroadcastSub(xs, ls, nil, []byte{byte(axis)})
	if err != nil {
		return nil, errors.Wrap(err, "log softmax: subtract the log sums")
	}
	return out, nil
}
