package metrics_test

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

// Three classes: ids and the model's probabilities.
func threeClasses() (yTrue, yPred *tensor.Dense) {
	yTrue = tensor.New(tensor.WithShape(6), tensor.WithBacking([]float64{0, 0, 1, 1, 2, 2}))
	yPred = tensor.New(tensor.WithShape(6, 3), tensor.WithBacking([]float64{
		0.8, 0.1, 0.1, // 0, right
		0.3, 0.6, 0.1, // 1, wrong
		0.2, 0.7, 0.1, // 1, right
		0.1, 0.8, 0.1, // 1, right
		0.2, 0.2, 0.6, // 2, right
		0.5, 0.1, 0.4, // 0, wrong
	}))
	return yTrue, yPred
}

func ExamplePrecision() {
	yTrue, yPred := threeClasses()
	macro := &metrics.Precision{} // k columns: macro average
	weighted := &metrics.Precision{Average: metrics.AverageWeighted}
	for _, m := range []*metrics.Precision{macro, weighted} {
		if err := m.Update(yTrue, yPred); err != nil {
			fmt.Println(err)
			return
		}
	}
	per, _ := macro.PerClass()
	fmt.Printf("per class %.4f\nmacro %.4f, weighted %.4f\n", per, macro.Result(), weighted.Result())
	// Output:
	// per class [0.5000 0.6667 1.0000]
	// macro 0.7222, weighted 0.7222
}

func ExampleF1Score() {
	// One column: the probability of class 1, thresholded at 0.5, and the
	// binary average, as sklearn's f1_score(y_true, y_pred > 0.5).
	yTrue := tensor.New(tensor.WithShape(5), tensor.WithBacking([]float32{1, 1, 0, 0, 1}))
	yPred := tensor.New(tensor.WithShape(5, 1), tensor.WithBacking([]float32{0.9, 0.4, 0.2, 0.7, 0.8}))
	m := &metrics.F1Score{}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	per, _ := m.PerClass()
	fmt.Printf("%s %.4f, per class %.4f\n", m.Name(), m.Result(), per)
	// Output: f1_score 0.6667, per class [0.5000 0.6667]
}

func ExampleFBetaScore() {
	yTrue, yPred := threeClasses()
	m := &metrics.FBetaScore{Beta: 2, Average: metrics.AverageMicro}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	// Single-label micro averages equal accuracy.
	fmt.Printf("%s %.4f\n", m.Name(), m.Result())
	// Output: fbeta_score 0.6667
}

func ExampleROCAUC() {
	yTrue := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{0, 0, 1, 1}))
	yPred := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{0.1, 0.4, 0.35, 0.8}))
	m := &metrics.ROCAUC{}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), m.Result())

	// One class only: the area is undefined; Result is 0 and Err says why.
	m.Reset()
	if err := m.Update(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1})),
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.3, 0.9}))); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Result(), m.Err())
	// Output:
	// auc 0.75
	// 0 auc: class 1: roc auc is not defined with one class only in yTrue (2 positive, 0 negative rows)
}

func ExamplePRAUC() {
	yTrue := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{0, 0, 1, 1}))
	yPred := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{0.1, 0.4, 0.35, 0.8}))
	m := &metrics.PRAUC{}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %.4f\n", m.Name(), m.Result()) // sklearn's average_precision_score
	// Output: pr_auc 0.8333
}

func ExampleLogLoss() {
	yTrue, yPred := threeClasses()
	m := &metrics.LogLoss{}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %.4f\n", m.Name(), m.Result())
	// Output: log_loss 0.5723
}

func ExampleSparseTopKCategoricalAccuracy() {
	yTrue, yPred := threeClasses()
	for _, k := range []int{1, 2} {
		m := &metrics.SparseTopKCategoricalAccuracy{K: k}
		if err := m.Update(yTrue, yPred); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("top-%d %.4f\n", k, m.Result())
	}
	// Output:
	// top-1 0.6667
	// top-2 1.0000
}

func ExampleMatthewsCorrelation() {
	yTrue, yPred := threeClasses()
	m := &metrics.MatthewsCorrelation{}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %.4f\n", m.Name(), m.Result())
	// Output: matthews_correlation 0.5222
}

func ExampleBalancedAccuracy() {
	// Four rows of class 0, one of class 1: always predicting 0 is 80%
	// accurate but only 50% balanced.
	yTrue := tensor.New(tensor.WithShape(5), tensor.WithBacking([]float64{0, 0, 0, 0, 1}))
	yPred := tensor.New(tensor.WithShape(5), tensor.WithBacking([]float64{0.1, 0.2, 0.1, 0.3, 0.4}))
	m := &metrics.BalancedAccuracy{}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), m.Result())
	// Output: balanced_accuracy 0.5
}

func ExampleConfusionMatrix() {
	yTrue, yPred := threeClasses()
	var m metrics.ConfusionMatrix
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Counts())
	table, err := m.Table([]string{"cat", "dog", "bird"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(table)
	// Output:
	// [[1 1 0] [0 2 0] [1 0 1]]
	// true\pred   cat   dog  bird
	//       cat     1     1     0
	//       dog     0     2     0
	//      bird     1     0     1
}

func ExampleConfusionMatrix_SavePNG() {
	yTrue, yPred := threeClasses()
	var m metrics.ConfusionMatrix
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "confusion")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "confusion.png")
	if err := m.SavePNG(path, []string{"cat", "dog", "bird"}); err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%dx%d\n", cfg.Width, cfg.Height)
	// Output: 480x480
}

func ExampleClassificationReport() {
	yTrue, yPred := threeClasses()
	r, err := metrics.NewClassificationReport(yTrue, yPred, []string{"cat", "dog", "bird"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(r)
	fmt.Printf("dog: precision %.4f, recall %.4f\n", r.Classes[1].Precision, r.Classes[1].Recall)
	// Output:
	//               precision    recall  f1-score   support
	//
	//          cat     0.5000    0.5000    0.5000         2
	//          dog     0.6667    1.0000    0.8000         2
	//         bird     1.0000    0.5000    0.6667         2
	//
	//     accuracy                         0.6667         6
	//    macro avg     0.7222    0.6667    0.6556         6
	// weighted avg     0.7222    0.6667    0.6556         6
	// dog: precision 0.6667, recall 1.0000
}

func ExampleClassificationReportOfIDs() {
	r, err := metrics.ClassificationReportOfIDs([]int{0, 1, 1, 0}, []int{0, 1, 0, 0}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy %.2f, class 0 precision %.4f, macro F1 %.4f\n", r.Accuracy, r.Classes[0].Precision, r.MacroAvg.F1)
	// Output: accuracy 0.75, class 0 precision 0.6667, macro F1 0.7333
}

func ExampleSaveCurvesPNG() {
	// The fields of a trainer.History after three epochs.
	epochs := []int{0, 1, 2}
	names := []string{"loss", "accuracy", "val_loss", "val_accuracy"}
	values := map[string][]float64{
		"loss":         {0.9, 0.5, 0.3},
		"accuracy":     {0.6, 0.8, 0.9},
		"val_loss":     {1.0, 0.6, 0.45},
		"val_accuracy": {0.55, 0.75, 0.85},
	}
	dir, err := os.MkdirTemp("", "curves")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "curves.png")
	if err := metrics.SaveCurvesPNG(path, epochs, values, names); err != nil {
		fmt.Println(err)
		return
	}
	w, h := metrics.CurvesPNGSize(2) // two panels: loss and accuracy
	fmt.Println(w, h)
	// Output: 960 360
}
