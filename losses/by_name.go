package losses

import (
	"strings"

	"github.com/pkg/errors"
)

// ByName returns the zero-value loss for one of the names Keras users write
// in compile(loss=...): "mean_squared_error" (or "mse"),
// "mean_absolute_error" (or "mae"), "huber", "binary_crossentropy",
// "categorical_crossentropy", "sparse_categorical_crossentropy". Every
// loss's Name is among them. Unknown names are an error that lists the known
// ones.
func ByName(name string) (Loss, error) {
	switch name {
	case "mean_squared_error", "mse":
		return MeanSquaredError{}, nil
	case "mean_absolute_error", "mae":
		return MeanAbsoluteError{}, nil
	case "huber":
		return Huber{}, nil
	case "binary_crossentropy":
		return BinaryCrossentropy{}, nil
	case "categorical_crossentropy":
		return CategoricalCrossentropy{}, nil
	case "sparse_categorical_crossentropy":
		return SparseCategoricalCrossentropy{}, nil
	}
	return nil, errors.Errorf("unknown loss %q; known: %s", name, strings.Join(Names(), ", "))
}

// Names lists the names ByName knows, in a fixed order.
func Names() []string {
	return []string{
		"mean_squared_error", "mse",
		"mean_absolute_error", "mae",
		"huber",
		"binary_crossentropy",
		"categorical_crossentropy",
		"sparse_categorical_crossentropy",
	}
}
