package metrics

import (
	"strings"

	"github.com/pkg/errors"
)

// ByName returns a new metric, with its default configuration, for one of
// the names Keras users write in compile(metrics=[...]) or scikit-learn
// users know. Aliases give the metric of the main name, whose Name is the
// history key:
//
//	accuracy, acc                         Accuracy
//	binary_accuracy                       BinaryAccuracy
//	categorical_accuracy                  CategoricalAccuracy
//	sparse_categorical_accuracy           SparseCategoricalAccuracy
//	top_k_categorical_accuracy            TopKCategoricalAccuracy (K 5)
//	sparse_top_k_categorical_accuracy     SparseTopKCategoricalAccuracy (K 5)
//	precision                             Precision
//	recall                                Recall
//	f1_score, f1                          F1Score
//	fbeta_score                           FBetaScore (beta 1)
//	auc, roc_auc                          ROCAUC
//	pr_auc, average_precision             PRAUC
//	log_loss                              LogLoss
//	matthews_correlation, mcc             MatthewsCorrelation
//	balanced_accuracy                     BalancedAccuracy
//	mean_squared_error, mse               MeanSquaredError
//	root_mean_squared_error, rmse         RootMeanSquaredError
//	mean_absolute_error, mae              MeanAbsoluteError
//	mean_absolute_percentage_error, mape  MeanAbsolutePercentageError
//	r2_score, r2                          R2Score
//	explained_variance                    ExplainedVariance
//
// Unknown names are an error that lists the known ones.
func ByName(name string) (Metric, error) {
	if inner, ok := strings.CutPrefix(name, "weighted_"); ok {
		m, err := ByName(inner)
		if err != nil {
			return nil, err
		}
		s, ok := m.(SampleScorer)
		if !ok {
			return nil, errors.Errorf("metric %q cannot be weighted: it is not a mean of per-sample scores", inner)
		}
		return &Weighted{Of: s}, nil
	}
	switch name {
	case "accuracy", "acc":
		return &Accuracy{}, nil
	case "binary_accuracy":
		return &BinaryAccuracy{}, nil
	case "categorical_accuracy":
		return &CategoricalAccuracy{}, nil
	case "sparse_categorical_accuracy":
		return &SparseCategoricalAccuracy{}, nil
	case "top_k_categorical_accuracy":
		return &TopKCategoricalAccuracy{}, nil
	case "sparse_top_k_categorical_accuracy":
		return &SparseTopKCategoricalAccuracy{}, nil
	case "precision":
		return &Precision{}, nil
	case "recall":
		return &Recall{}, nil
	case "f1_score", "f1":
		return &F1Score{}, nil
	case "fbeta_score":
		return &FBetaScore{}, nil
	case "auc", "roc_auc":
		return &ROCAUC{}, nil
	case "pr_auc", "average_precision":
		return &PRAUC{}, nil
	case "log_loss":
		return &LogLoss{}, nil
	case "matthews_correlation", "mcc":
		return &MatthewsCorrelation{}, nil
	case "balanced_accuracy":
		return &BalancedAccuracy{}, nil
	case "mean_squared_error", "mse":
		return &MeanSquaredError{}, nil
	case "root_mean_squared_error", "rmse":
		return &RootMeanSquaredError{}, nil
	case "mean_absolute_error", "mae":
		return &MeanAbsoluteError{}, nil
	case "mean_absolute_percentage_error", "mape":
		return &MeanAbsolutePercentageError{}, nil
	case "r2_score", "r2":
		return &R2Score{}, nil
	case "explained_variance":
		return &ExplainedVariance{}, nil
	}
	return nil, errors.Errorf("unknown metric %q; known: %s", name, strings.Join(Names(), ", "))
}

// Names lists the names ByName knows, in a fixed order.
func Names() []string {
	return []string{
		"accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
		"top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
		"precision", "recall", "f1_score", "f1", "fbeta_score",
		"auc", "roc_auc", "pr_auc", "average_precision", "log_loss",
		"matthews_correlation", "mcc", "balanced_accuracy",
		"mean_squared_error", "mse", "root_mean_squared_error", "rmse",
		"mean_absolute_error", "mae", "mean_absolute_percentage_error", "mape",
		"r2_score", "r2", "explained_variance",
	}
}
