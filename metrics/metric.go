// Package metrics holds the metrics that score a model: small accumulators
// updated batch by batch, whose result equals the computation over the whole
// set.
package metrics

import "gorgonia.org/tensor"

// Metric accumulates a score over batches.
type Metric interface {
	// Name is the key in histories and logs: "accuracy".
	Name() string
	// Update adds a batch: yTrue as the user gave the targets (class ids
	// [batch] or [batch, 1] for sparse labels, [batch, k] otherwise) and yPred
	// the model's output [batch, k]. It returns an error on mismatched shapes.
	Update(yTrue, yPred *tensor.Dense) error
	// Result is the score over every batch since the last Reset.
	Result() float64
	// Reset forgets every batch.
	Reset()
}
