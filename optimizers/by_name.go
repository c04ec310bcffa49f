package optimizers

import (
	"math"
	"strings"

	"github.com/pkg/errors"
)

// ByName returns the optimizer named as Keras users write it in
// compile(optimizer=...) — "sgd", "adam", "adamw", "rmsprop" or "adagrad" —
// with learning rate lr (zero means the optimizer's default) and Keras's
// defaults for everything else. It is meant for command-line flags and JSON;
// Go code uses the struct literals. Unknown names and a negative lr are
// errors.
func ByName(name string, lr float64) (Optimizer, error) {
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return nil, errors.Errorf("%s: learning rate must be >= 0 and finite, got %v", name, lr)
	}
	switch name {
	case "sgd":
		return SGD{LearningRate: lr}, nil
	case "adam":
		return Adam{LearningRate: lr}, nil
	case "adamw":
		return AdamW{LearningRate: lr}, nil
	case "rmsprop":
		return RMSProp{LearningRate: lr}, nil
	case "adagrad":
		return AdaGrad{LearningRate: lr}, nil
	}
	return nil, errors.Errorf("unknown optimizer %q; known: %s", name, strings.Join(Names(), ", "))
}

// Names lists the names ByName knows, in a fixed order.
func Names() []string {
	return []string{"sgd", "adam", "adamw", "rmsprop", "adagrad"}
}
