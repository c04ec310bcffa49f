package models

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/trainer"
)

// outputLoss builds the loss of output out (pred being out or its logits)
// against target. A sequence output, [batch, steps, ...], that carries a
// mask (an Embedding with MaskZero before a recurrent layer with
// ReturnSequences) leaves its masked steps out of the loss, as Keras 3
// does (losses.Steps); in WeightedTrainMode a sequence output's weights
// are per step, [batch, steps] (per-sample weights are repeated over the
// steps). Other outputs take the loss as it is, or weightedLoss.
func outputLoss(call *layers.Call, mode trainer.Mode, loss losses.Loss, out, pred, target *gorgonia.Node) (l, w *gorgonia.Node, wv *tensor.Dense, err error) {
	mask, masked := call.MaskOf(out)
	seq := out.Dims() >= 3 && pred.Shape().Eq(out.Shape())
	weighted := mode == trainer.WeightedTrainMode
	if !seq || (!masked && !weighted) {
		if weighted {
			return weightedLoss(call, loss, pred, target)
		}
		l, err = loss.Build(pred, target)
		return l, nil, nil, err
	}
	if weighted {
		s := out.Shape()
		wv = tensor.New(tensor.Of(call.DType), tensor.WithShape(s[0], s[1]))
		w = gorgonia.NewTensor(call.Graph, call.DType, 2, gorgonia.WithShape(s[0], s[1]), gorgonia.WithName("sample_weights"), gorgonia.WithValue(wv))
	}
	if !masked {
		mask = nil
	}
	l, err = losses.Steps(loss, pred, target, mask, w)
	return l, w, wv, err
}
