package metrics

import (
	"strings"

	"github.com/pkg/errors"
)

// ByName returns a new, empty metric for one of the names Keras users write
// in compile(metrics=[...]): "accuracy" (or "acc"), "binary_accuracy",
// "categorical_accuracy", "sparse_categorical_accuracy". Unknown names are an
// error that lists the known ones.
func ByName(name string) (Metric, error) {
	switch name {
	case "accuracy", "acc":
		return &Accuracy{}, nil
	case "binary_accuracy":
		return &BinaryAccuracy{}, nil
	case "categorical_accuracy":
		return &CategoricalAccuracy{}, nil
	case "sparse_categorical_accuracy":
		return &SparseCategoricalAccuracy{}, nil
	}
	return nil, errors.Errorf("unknown metric %q; known: %s", name, strings.Join(Names(), ", "))
}

// Names lists the names ByName knows, in a fixed order.
func Names() []string {
	return []string{"accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"}
}
