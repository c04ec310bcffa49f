package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
)

// evalFlags are the flags of profundo evaluate.
type evalFlags struct {
	model, data, path, target, dataDir, confusion string
	csv                                           csvFlags
}

func parseEvalFlags(args []string, stderr io.Writer) (*evalFlags, error) {
	f := &evalFlags{}
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.model, "model", "", "the saved model: a directory or zip from profundo train --out (required)")
	fs.StringVar(&f.data, "data", "", "data set to score on; empty means the one the model was trained on, and its held-out test split")
	fs.StringVar(&f.path, "path", "", "a CSV file to score on, every row (for a model trained on a CSV table; its target column must be there)")
	fs.StringVar(&f.target, "target", "", "the CSV's target column; empty means the one the model was trained on")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory holding the IDX files for mnist or fashion-mnist")
	fs.StringVar(&f.confusion, "confusion", "", "also write the confusion matrix as a PNG heat map to this file (classification)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: profundo evaluate --model DIR [flags]

Scores a saved model on held-out data and prints each metric alone on a line
(test_loss, test_accuracy...). For a classifier it also prints the
classification report (precision, recall, F1 and support per class, with
their averages) and the confusion matrix.

By default the data is the test split the model was held out from when
profundo train made it (the same data set, seed and split fraction, which
the model records); --path scores a CSV file instead.

Flags:
`)
		fs.PrintDefaults()
	}
	f.csv.register(fs)
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if err := f.csv.check(); err != nil {
		return nil, err
	}
	if f.model == "" {
		return nil, errors.New("--model is required")
	}
	return f, nil
}

func evaluate(ctx context.Context, args []string, stdout, stderr io.Writer, o Options) error {
	f, err := parseEvalFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := checkFilePath("--confusion", f.confusion); err != nil {
		return err
	}
	m, err := o.load(f.model)
	if err != nil {
		return err
	}
	if ins, outs := m.InputShapes(), m.OutputShapes(); len(ins) != 1 || len(outs) != 1 {
		return fmt.Errorf("%s: the model takes %d inputs and gives %d outputs; evaluate scores a model of one input and one output on a data set or CSV table, which hold one input and one target. "+
			"Score it in Go with Functional.Evaluate, one tensor per input and target; profundo predict writes its predictions for a CSV whose rows hold the inputs one after the other", f.model, len(ins), len(outs))
	}
	test, err := evaluationData(ctx, f, m)
	if err != nil {
		return err
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		return err
	}
	printScores(stdout, scores)
	if len(m.ClassNames) == 0 {
		return nil
	}
	probss, err := m.Predict(ctx, test.X)
	if err != nil {
		return err
	}
	probs := probss[0]
	cm := &metrics.ConfusionMatrix{}
	if err := cm.Update(test.Y, probs); err != nil {
		return err
	}
	report, err := cm.Report(m.ClassNames)
	if err != nil {
		return err
	}
	table, err := cm.Table(m.ClassNames)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nClassification report:\n%s\nConfusion matrix (rows: true class, columns: predicted):\n%s", report, table)
	if f.confusion != "" {
		if err := cm.SavePNG(f.confusion, m.ClassNames); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Wrote the confusion matrix to %s\n", f.confusion)
	}
	return nil
}

// evaluationData is the CSV the flags name, or the test split of the data
// the model was trained on, rebuilt from the notes profundo train saved.
func evaluationData(ctx context.Context, f *evalFlags, m *models.Functional) (*datasets.Dataset, error) {
	notes := m.Notes
	if f.path != "" {
		if m.Tabular == nil {
			return nil, errors.New("--path: the model was not trained on a CSV table")
		}
		target := f.target
		if target == "" {
			target = notes["target"]
		}
		table, err := datasets.LoadCSV(f.path, f.csv.options(datasets.CSVOptions{Target: target, Encoding: notes["encoding"]}))
		if err != nil {
			return nil, err
		}
		if _, err := table.DropMissingIn(target); err != nil {
			return nil, err
		}
		return m.Tabular.Transform(table)
	}
	tf := &trainFlags{data: f.data, dataDir: f.dataDir, quiet: true, path: notes["path"], target: notes["target"], csv: f.csv}
	if tf.csv.encoding == "" {
		tf.csv.encoding = notes["encoding"]
	}
	if tf.data == "" {
		tf.data = notes["data"]
	}
	if tf.data == "" {
		return nil, errors.New("the model does not say what data it was trained on: give --data or --path")
	}
	var err error
	if tf.seed, err = strconv.ParseInt(notes["seed"], 10, 64); err != nil && tf.data != "mnist" && tf.data != "fashion-mnist" {
		return nil, fmt.Errorf("the model does not record its split seed (notes %v): give --path", notes)
	}
	if tf.testSplit, err = strconv.ParseFloat(notes["test_split"], 64); err != nil {
		tf.testSplit = 0.2
	}
	if tf.taskFlag, err = datasets.ParseTask(notes["task"]); err != nil {
		tf.taskFlag = datasets.AutoTask
	}
	p, err := loadData(ctx, tf, io.Discard)
	if err != nil && tf.data == "csv" && f.data == "" {
		return nil, fmt.Errorf("the CSV the model was trained on, %s (the path is recorded in the model; give --path to score on another file): %w", tf.path, err)
	}
	if err != nil {
		return nil, err
	}
	return p.test, nil
}

func printScores(w io.Writer, scores map[string]float64) {
	names := make([]string, 0, len(scores))
	for k := range scores {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] == "loss" || (names[j] != "loss" && names[i] < names[j]) })
	for _, k := range names {
		fmt.Fprintf(w, "test_%s: %.4f\n", shortName(k), scores[k])
	}
}
