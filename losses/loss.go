// Package losses holds the loss functions a model is compiled with. Each loss
// builds, inside a Gorgonia graph, the mean of the per-sample loss over the
// batch, with the meaning Keras gives it.
package losses

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Loss builds a scalar node: the mean over the batch of the per-sample loss of
// pred, [batch, out...], against target (the node the targets are fed to;
// same shape as pred unless the loss is a TargetEncoder).
type Loss interface {
	// Name is the loss's name in histories and saved models:
	// "sparse_categorical_crossentropy".
	Name() string
	Build(pred, target *gorgonia.Node) (*gorgonia.Node, error)
}

// TargetEncoder is implemented by losses whose targets are given in another
// form than the graph is fed, or must be checked: SparseCategoricalCrossentropy
// takes class ids, [n] or [n, 1], and feeds one-hot rows [n, k]. EncodeTargets
// returns the tensor to feed (it may be y itself), or an error naming the
// first bad row and value. out is the model's per-sample output shape.
type TargetEncoder interface {
	EncodeTargets(y *tensor.Dense, out []int) (*tensor.Dense, error)
}

// LogitsLoss is implemented by losses on probabilities that can be computed
// from the logits instead when the model's last activation is the one named
// ("softmax" or "sigmoid"): the result is numerically stable, as in Keras.
// It returns the loss to use on the logits, and false when it does not apply.
type LogitsLoss interface {
	OnLogits(activation string) (Loss, bool)
}
