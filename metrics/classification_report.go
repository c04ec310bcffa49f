package metrics

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ClassScores is one line of a classification report: precision, recall
// and F1 of a class (or their average) and its support, the number of true
// rows.
type ClassScores struct {
	Name      string
	Precision float64
	Recall    float64
	F1        float64
	Support   int
}

// ClassificationReport is sklearn's classification_report as a struct:
// per-class precision, recall, F1 and support, the accuracy, and the macro
// and support-weighted averages, with sklearn's zero_division="warn" (a
// ratio with nothing to divide by is 0). Every class counts, also one that
// neither occurs nor is predicted; sklearn then prints a "micro avg" line
// where String prints "accuracy", with the same value.
type ClassificationReport struct {
	// Classes holds one line per class, in class order.
	Classes []ClassScores
	// Accuracy is the fraction of right predictions.
	Accuracy float64
	// MacroAvg averages the class lines; WeightedAvg weighs them by support.
	// Their Support is the number of rows.
	MacroAvg, WeightedAvg ClassScores
}

// NewClassificationReport scores predictions against targets, taken as the
// classification metrics take them: yPred is [batch, k] probabilities (the
// arg max is the prediction) or one column, the probability of class 1 (a
// prediction above 0.5 is class 1); yTrue is class ids or one-hot rows.
// classNames names the classes (nil: their ids). An empty set is an error.
func NewClassificationReport(yTrue, yPred *tensor.Dense, classNames []string) (*ClassificationReport, error) {
	var m ConfusionMatrix
	if err := m.Update(yTrue, yPred); err != nil {
		return nil, errors.Wrap(err, "classification report")
	}
	r, err := m.Report(classNames)
	return r, errors.Wrap(err, "classification report")
}

// ClassificationReportOfIDs scores predicted class ids against true ones,
// for classes 0 to len(classNames)−1, or to the largest id when classNames
// is nil. Sets of different lengths, an empty set, or an id outside the
// classes are errors.
func ClassificationReportOfIDs(yTrue, yPred []int, classNames []string) (*ClassificationReport, error) {
	if len(yTrue) != len(yPred) {
		return nil, errors.Errorf("classification report: %d true ids and %d predicted ids", len(yTrue), len(yPred))
	}
	if len(yTrue) == 0 {
		return nil, errors.New("classification report: no samples")
	}
	k := len(classNames)
	if classNames == nil {
		for i := range yTrue {
			k = max(k, yTrue[i]+1, yPred[i]+1)
		}
	}
	cm := confusion{k: k, counts: make([]int, k*k), n: len(yTrue)}
	for i := range yTrue {
		for _, id := range []int{yTrue[i], yPred[i]} {
			if id < 0 || id >= k {
				return nil, errors.Errorf("classification report: row %d: class id %d is not in [0, %d)", i, id, k)
			}
		}
		cm.counts[yTrue[i]*k+yPred[i]]++
	}
	m := ConfusionMatrix{cm: cm}
	return m.Report(classNames)
}

func newReport(cm *confusion, names []string) *ClassificationReport {
	p := cm.prf(kindPrecision, 1)
	r := cm.prf(kindRecall, 1)
	f := cm.prf(kindF, 1)
	_, _, support := cm.sums()
	rep := &ClassificationReport{Accuracy: cm.prfAverage(kindF, 1, AverageMicro, 0)}
	for i, n := range names {
		rep.Classes = append(rep.Classes, ClassScores{n, p[i], r[i], f[i], support[i]})
	}
	rep.MacroAvg = ClassScores{"macro avg", mean(p), mean(r), mean(f), cm.n}
	rep.WeightedAvg = ClassScores{"weighted avg", weightedMean(p, support), weightedMean(r, support), weightedMean(f, support), cm.n}
	return rep
}

// String formats the report as sklearn's classification_report(digits=4):
//
//	              precision    recall  f1-score   support
//
//	         cat     0.8000    1.0000    0.8889         4
//	         dog     1.0000    0.7500    0.8571         4
//
//	    accuracy                         0.8750         8
//	   macro avg     0.9000    0.8750    0.8730         8
//	weighted avg     0.9000    0.8750    0.8730         8
func (r *ClassificationReport) String() string {
	width := len("weighted avg")
	for _, c := range r.Classes {
		width = max(width, len(c.Name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	line := func(c ClassScores) {
		fmt.Fprintf(&b, "%*s  %9.4f %9.4f %9.4f %9d\n", width, c.Name, c.Precision, c.Recall, c.F1, c.Support)
	}
	for _, c := range r.Classes {
		line(c)
	}
	fmt.Fprintf(&b, "\n%*s  %9s %9s %9.4f %9d\n", width, "accuracy", "", "", r.Accuracy, r.MacroAvg.Support)
	line(r.MacroAvg)
	line(r.WeightedAvg)
	return b.String()
}
