package cli

import (
	"context"
	"fmt"
	"io"
	"math/rand"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/datasets"
)

// prepared is the data of a run: the splits, the task, and the fitted
// preprocessing the model carries.
type prepared struct {
	name          string
	train, test   *datasets.Dataset
	task          datasets.Task
	classNames    []string
	preprocessing datasets.Transformer
	tabular       *datasets.Tabular
}

// loadData loads the data set the flags name, splits off the test set,
// detects the task and fits the preprocessing on the training split only.
func loadData(ctx context.Context, f *trainFlags, stdout io.Writer) (*prepared, error) {
	p := &prepared{name: f.data}
	rng := rand.New(rand.NewSource(f.seed))
	var full *datasets.Dataset
	switch f.data {
	case "mnist", "fashion-mnist":
		if f.dataDir != "" {
			if err := checkDataDir(f.dataDir); err != nil {
				return nil, err
			}
		}
		opt := datasets.LoadOptions{Dir: f.dataDir}
		if !f.quiet {
			opt.Progress = stdout
		}
		load := datasets.MNIST
		if f.data == "fashion-mnist" {
			load = datasets.FashionMNIST
		}
		var err error
		if p.train, p.test, err = load(ctx, opt); err != nil {
			return nil, err
		}
		p.task, p.classNames = datasets.Classification, p.train.ClassNames
		// The pixels are already in [0, 1].
		return p, nil
	case "csv":
		if f.path == "" || f.target == "" {
			return nil, errors.New("--data csv needs --path FILE and --target COLUMN")
		}
		table, err := datasets.LoadCSV(f.path, f.csv.options(datasets.CSVOptions{Target: f.target}))
		if err != nil {
			return nil, err
		}
		dropped, err := table.DropMissingIn(f.target)
		if err != nil {
			return nil, err
		}
		if !f.quiet {
			rep := table.Report()
			fmt.Fprint(stdout, rep.String())
			if dropped > 0 {
				fmt.Fprintf(stdout, "Dropped %d rows with no %s.\n", dropped, f.target)
			}
			missing := 0
			for _, c := range rep.Columns {
				if c.Name != f.target {
					missing += c.Missing
				}
			}
			if missing > 0 {
				fmt.Fprintf(stdout, "Imputing %d missing feature cells with the training split's means (a missing category: its one-hot columns' means).\n", missing)
			}
		}
		task := f.taskFlag
		if task == datasets.AutoTask {
			if task, err = table.DetectTask(f.target); err != nil {
				return nil, err
			}
		}
		var tab *datasets.Tabular
		if full, tab, err = table.ToDataset(datasets.TabularOptions{Target: f.target, Task: task}); err != nil {
			return nil, err
		}
		p.tabular, p.task = tab, task
	default:
		var err error
		if full, err = datasets.ByName(f.data); err != nil {
			return nil, errors.Wrap(err, "--data")
		}
		p.task = datasets.Regression
		if full.ClassNames != nil {
			p.task = datasets.Classification
		}
		if f.taskFlag != datasets.AutoTask && f.taskFlag != p.task {
			return nil, errors.Errorf("--task %s does not fit %s, a %s data set", f.taskFlag, f.data, p.task)
		}
	}
	var err error
	stratify := p.task == datasets.Classification
	if p.train, p.test, err = datasets.TrainTestSplit(full, f.testSplit, rng, stratify); err != nil {
		return nil, errors.Wrap(err, "--test-split")
	}
	p.classNames = full.ClassNames
	// Standardize the features on the training split; for tables, impute
	// missing values first (with the training means).
	var steps []datasets.Transformer
	if p.tabular != nil {
		steps = append(steps, &datasets.SimpleImputer{})
	}
	steps = append(steps, &datasets.StandardScaler{})
	pipe := &datasets.Pipeline{Steps: steps}
	if err := pipe.Fit(p.train.X); err != nil {
		return nil, errors.Wrap(err, "preprocessing")
	}
	p.preprocessing = pipe
	return p, nil
}
