package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

// tuneFlags are the flags of profundo tune. base holds the training flags
// the trials share: the data flags, and profundo train's defaults for
// every setting the search does not vary.
type tuneFlags struct {
	base trainFlags

	search, objective, direction, dir, spaceFile, out string
	trials, workers, executions, factor, gridPoints   int
	retrainFull, baseline                             bool

	// The hyperparameter flags: a value, a range min:max[:step] or a list
	// a,b,c.
	lr, units, layers, dropout, batchSize, optimizer string
	given                                            map[string]bool
}

// hyperparameters are the names profundo tune's build function reads, in
// the order of the flags' space, with the flag that sets each.
var hyperparameters = []struct{ name, flag string }{
	{"lr", "lr"}, {"units", "units"}, {"layers", "layers"}, {"dropout", "dropout"},
	{"batch_size", "batch-size"}, {"optimizer", "optimizer"}, {"epochs", "epochs"},
}

func parseTuneFlags(args []string, stderr io.Writer) (*tuneFlags, error) {
	defaults, err := parseTrainFlags(nil, io.Discard)
	if err != nil {
		return nil, err
	}
	f := &tuneFlags{base: *defaults}
	b := &f.base
	fs := flag.NewFlagSet("tune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&b.data, "data", b.data, "data set, as for profundo train: digits, iris, wine, breast-cancer, diabetes, mnist, fashion-mnist, or csv (with --path and --target)")
	fs.StringVar(&b.path, "path", "", "the CSV file, for --data csv")
	fs.StringVar(&b.target, "target", "", "the CSV column to predict, for --data csv")
	fs.StringVar(&b.task, "task", b.task, "classification, regression, or auto (as for profundo train)")
	fs.StringVar(&b.dataDir, "data-dir", "", "directory holding the IDX files for mnist or fashion-mnist (as for profundo train)")
	fs.Float64Var(&b.testSplit, "test-split", b.testSplit, "fraction of the data held out for the final test, scored once, by the best model only")
	fs.Float64Var(&b.validation, "validation-split", b.validation, "fraction of the training data the trials are scored on (the last rows, as profundo train holds out); must be > 0")
	fs.Int64Var(&b.seed, "seed", b.seed, "seed for the split and the whole search: the same seed gives the same trials and table")
	fs.StringVar(&b.modelSpec, "model", "mlp", "the network: mlp (dense layers of --units and --layers), cnn (models.NewSmallCNN), or a JSON model spec file")
	fs.IntVar(&b.epochs, "epochs", b.epochs, "epochs each trial trains; for hyperband, the most a trial trains")
	fs.BoolVar(&b.quiet, "quiet", false, "print only the best configuration and its test metrics")

	fs.StringVar(&f.lr, "lr", "0.0001:0.03", "learning rate: a value, a range min:max drawn on a log scale (min:max:factor for steps), or a list a,b,c")
	fs.StringVar(&f.units, "units", "16:256:16", "units of each hidden dense layer (--model mlp): a value, a range min:max[:step], or a list a,b,c")
	fs.StringVar(&f.layers, "layers", "1", "number of hidden dense layers (--model mlp): a value, a range or a list")
	fs.StringVar(&f.dropout, "dropout", "0:0.5:0.1", "dropout rate after each hidden layer: a value, a range min:max[:step] or a list")
	fs.StringVar(&f.batchSize, "batch-size", "32", "samples per training step: a value, a range or a list")
	fs.StringVar(&f.optimizer, "optimizer", "adam", "optimizer, or a list to choose from: sgd, adam, adamw, rmsprop, adagrad")
	fs.StringVar(&f.spaceFile, "space", "", "a JSON search-space file (see the tuner package: {\"hyperparameters\": [{\"name\": \"lr\", \"type\": \"float\", \"min\": 0.0001, \"max\": 0.1, \"log\": true}, ...]}) naming lr, units, layers, dropout, batch_size, optimizer or epochs; it replaces the range flags, and what it leaves out takes profundo train's defaults")

	fs.StringVar(&f.search, "search", "random", "search strategy: random, grid or hyperband")
	fs.IntVar(&f.trials, "trials", 0, "trials of a random search (0 means 12) or the most of a grid search (0 means every point); hyperband ignores it")
	fs.IntVar(&f.workers, "workers", 0, "trials trained at once, each on its own goroutine; 0 means one per CPU core")
	fs.IntVar(&f.executions, "executions", 1, "times each trial trains, from its own seeds, its score the mean")
	fs.StringVar(&f.objective, "objective", "", "the logged metric trials are scored by; empty means val_accuracy for classification, val_loss for regression")
	fs.StringVar(&f.direction, "direction", "auto", "whether the objective should rise or fall: max, min, or auto (from its name)")
	fs.IntVar(&f.factor, "factor", 3, "hyperband's halving factor")
	fs.IntVar(&f.gridPoints, "grid-points", 4, "values a grid search tries of a range without a step")
	fs.StringVar(&f.dir, "dir", "profundo-tune", "directory for trials.json (kept up to date, so that the same command resumes an interrupted search), results.csv, results.json and the best model")
	fs.StringVar(&f.out, "out", "", "where to save the best model, retrained; empty means DIR/best")
	fs.BoolVar(&f.retrainFull, "retrain-full", false, "retrain the best configuration on the training and validation splits together")
	fs.BoolVar(&f.baseline, "baseline", false, "also train profundo train's default configuration (same data, split and seed) and print its validation score beside the search's")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: profundo tune [flags]

Searches hyperparameters (learning rate, units, dropout... chosen on the
validation split, never the test split) on any data set profundo train
loads: each trial trains the network with its own hyperparameters, trials
run in parallel, and each is scored by --objective on the validation split.
A line per finished trial shows its score and the best so far; at the end
the table of trials (best first) is printed and saved as CSV and JSON in
--dir, the best configuration is retrained and saved, and its test metrics
are printed, one per line as profundo train prints them.

Ctrl-C stops the search after the current batches; the same command
resumes it, skipping the trials that finished.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	switch {
	case b.epochs <= 0:
		return nil, fmt.Errorf("--epochs must be > 0, got %d", b.epochs)
	case b.validation <= 0 || b.validation >= 1:
		return nil, fmt.Errorf("--validation-split must be in (0, 1): the trials are scored on it, got %v", b.validation)
	case f.trials < 0 || f.workers < 0 || f.executions < 1:
		return nil, fmt.Errorf("--trials and --workers must be >= 0 and --executions >= 1, got %d, %d and %d", f.trials, f.workers, f.executions)
	case f.factor < 2:
		return nil, fmt.Errorf("--factor must be >= 2, got %d", f.factor)
	case f.gridPoints < 1:
		return nil, fmt.Errorf("--grid-points must be >= 1, got %d", f.gridPoints)
	}
	if err := f.checkRanges(); err != nil {
		return nil, err
	}
	if b.taskFlag, err = datasets.ParseTask(b.task); err != nil {
		return nil, fmt.Errorf("--task: %w", err)
	}
	return f, nil
}

// strategy is the search strategy the flags name.
func (f *tuneFlags) strategy() (tuner.Strategy, error) {
	switch f.search {
	case "random":
		return tuner.Random{}, nil
	case "grid":
		return tuner.Grid{Points: f.gridPoints}, nil
	case "hyperband":
		return tuner.Hyperband{MaxEpochs: f.base.epochs, Factor: f.factor}, nil
	}
	return nil, fmt.Errorf("--search must be random, grid or hyperband, got %q", f.search)
}

func tune(ctx context.Context, args []string, stdout, stderr io.Writer, o Options) (err error) {
	f, err := parseTuneFlags(args, stderr)
	if err != nil {
		return err
	}
	f.base.custom = o
	// Under mpirun, the ranks share the trials; rank 0 alone prints,
	// writes the files and retrains the best.
	comm, err := joinRanks(&stdout)
	if err != nil {
		return err
	}
	if comm != nil {
		defer leaveRanks(comm, "tune", stderr, &err)
		if comm.Rank() != 0 {
			f.baseline = false
		}
	}
	strategy, err := f.strategy()
	if err != nil {
		return err
	}
	space, err := f.space()
	if err != nil {
		return err
	}
	direction, err := tuner.ParseDirection(f.direction)
	if err != nil {
		return fmt.Errorf("--direction: %w", err)
	}
	b := &f.base
	if err := f.checkOutputs(); err != nil {
		return err
	}
	data, err := loadData(ctx, b, stdout)
	if err != nil {
		return err
	}
	split, err := validationSplit(data, b.validation)
	if err != nil {
		return err
	}
	objective := f.objective
	if objective == "" {
		objective = "val_loss"
		if data.task == datasets.Classification {
			objective = "val_accuracy"
		}
	}
	workers := f.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	t := &tuneBuild{flags: f, data: data}
	s := &tuner.Search{
		Space: space, Build: t.build, Strategy: strategy,
		Objective: tuner.Objective{Metric: objective, Direction: direction},
		MaxTrials: f.trials, Executions: f.executions, Seed: b.seed, Workers: workers, Dir: f.dir,
	}
	if f.search == "random" && s.MaxTrials == 0 {
		s.MaxTrials = 12
	}
	if comm != nil {
		s.Ranks = comm
	}
	if !b.quiet {
		s.Progress = stdout
		fmt.Fprintf(stdout, "Data: %s, %s, %d training, %d validation and %d test samples\n",
			data.name, data.task, split.Train.Len(), split.Validation.Len(), data.test.Len())
		fmt.Fprintf(stdout, "Search: %s, objective %s, seed %d, %d workers; results in %s\n", describeStrategy(strategy, s.MaxTrials),
			s.Objective.Metric, b.seed, workers, f.dir)
		fmt.Fprintf(stdout, "Space: %s\n", describeSpace(space))
	}
	var baseline float64
	if f.baseline {
		if baseline, err = t.trainBaseline(ctx, split, objective); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		if !b.quiet {
			fmt.Fprintf(stdout, "Baseline, profundo train's defaults (hidden %s, dropout %v, %s at its default rate, batch %d, %d epochs, seed %d): %s=%.4f\n",
				t.defaults.hidden, t.defaults.dropout, t.defaults.optimizer, t.defaults.batchSize, t.defaults.epochs, b.seed, objective, baseline)
		}
	}
	res, err := s.Run(ctx, split)
	if ctx.Err() != nil && res != nil {
		fmt.Fprintf(stderr, "Interrupted: %d trials finished and are saved in %s; run the same command to resume.\n",
			len(res.Trials), filepath.Join(f.dir, tuner.TrialsFile))
		return errInterrupted
	}
	if err != nil {
		return err
	}
	if comm != nil && comm.Rank() != 0 {
		return nil
	}
	best, ok := res.Best()
	if !b.quiet {
		fmt.Fprintf(stdout, "\n%s\n%s", res.Table(), res.Summary())
		fmt.Fprintf(stdout, "Saved the table to %s and %s\n", filepath.Join(f.dir, tuner.CSVFile), filepath.Join(f.dir, tuner.JSONFile))
	}
	if !ok {
		return errors.New("no trial completed; see the failures above")
	}
	if f.baseline {
		better := "beats"
		if !res.Objective.Better(best.Score, baseline) {
			better = "does not beat"
		}
		fmt.Fprintf(stdout, "The best %s=%.4f %s the baseline's %.4f\n", objective, best.Score, better, baseline)
	}
	if b.quiet {
		fmt.Fprintf(stdout, "best: trial %d, %s=%.4f: %s\n", best.ID, objective, best.Score, best.Values.Text())
	}
	out := f.out
	if out == "" {
		out = filepath.Join(f.dir, "best")
	}
	on := "the training split"
	if f.retrainFull {
		on = "the training and validation splits"
	}
	if !b.quiet {
		fmt.Fprintf(stdout, "Retraining the best configuration (trial %d, %d epochs) on %s, then scoring it once on the test split\n", best.ID, best.Epochs, on)
	}
	split.Test = data.test
	final, err := s.TrainBest(ctx, res, split, tuner.Final{Full: f.retrainFull, Path: out})
	if err != nil {
		return err
	}
	printScores(stdout, final.Test)
	if !b.quiet {
		fmt.Fprintf(stdout, "Saved the best model to %s\n", out)
	}
	return nil
}

// validationSplit holds out the last fraction of the training rows for
// validation, the rows profundo train's --validation-split scores.
func validationSplit(p *prepared, fraction float64) (tuner.Data, error) {
	n := p.train.Len()
	at := int(float64(n) * (1 - fraction))
	if at <= 0 || at >= n {
		return tuner.Data{}, fmt.Errorf("--validation-split %v of %d training samples leaves an empty part", fraction, n)
	}
	rows := func(from, to int) []int {
		idx := make([]int, to-from)
		for i := range idx {
			idx[i] = from + i
		}
		return idx
	}
	train, err := p.train.Subset(rows(0, at))
	if err != nil {
		return tuner.Data{}, err
	}
	val, err := p.train.Subset(rows(at, n))
	if err != nil {
		return tuner.Data{}, err
	}
	return tuner.Data{Train: train, Validation: val}, nil
}

// tuneBuild builds the trials' models as profundo train builds its
// model, with the hyperparameters of each trial.
type tuneBuild struct {
	flags    *tuneFlags
	data     *prepared
	defaults trainFlags
}

func (t *tuneBuild) build(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
	f := t.flags.settings()
	f.seed = hp.Seed()
	units, layers, err := t.flags.hidden()
	if err != nil {
		return nil, trainer.FitConfig{}, err
	}
	if hp.Active("lr") {
		f.lr = hp.Float("lr")
	}
	if hp.Active("units") {
		units = hp.Int("units")
	}
	if hp.Active("layers") {
		layers = hp.Int("layers")
	}
	if hp.Active("dropout") {
		f.dropout = hp.Float("dropout")
	}
	if hp.Active("batch_size") {
		f.batchSize = hp.Int("batch_size")
	}
	if hp.Active("optimizer") {
		f.optimizer = hp.String("optimizer")
	}
	if hp.Active("epochs") {
		f.epochs = hp.Int("epochs")
	}
	if err := hp.Err(); err != nil {
		return nil, trainer.FitConfig{}, err
	}
	switch {
	case units <= 0 || layers < 0:
		return nil, trainer.FitConfig{}, fmt.Errorf("units must be > 0 and layers >= 0, got %d and %d", units, layers)
	case f.batchSize <= 0 || f.epochs <= 0:
		return nil, trainer.FitConfig{}, fmt.Errorf("batch size and epochs must be > 0, got %d and %d", f.batchSize, f.epochs)
	}
	f.hidden = strings.TrimSuffix(strings.Repeat(strconv.Itoa(units)+",", layers), ",")
	m, cfg, err := prepareModel(&f, t.data)
	if err != nil {
		return nil, cfg, err
	}
	m.Notes["hyperparameters"] = hp.Text()
	cfg.Epochs, cfg.BatchSize = f.epochs, f.batchSize
	return m, cfg, nil
}

// trainBaseline trains profundo train's default configuration on the
// split, as profundo train would with the same data flags and seed, and
// returns its last objective value.
func (t *tuneBuild) trainBaseline(ctx context.Context, split tuner.Data, objective string) (float64, error) {
	d, err := parseTrainFlags(nil, io.Discard)
	if err != nil {
		return 0, err
	}
	b := t.flags.base
	d.data, d.path, d.target, d.task, d.taskFlag, d.dataDir = b.data, b.path, b.target, b.task, b.taskFlag, b.dataDir
	d.seed, d.testSplit, d.validation, d.quiet = b.seed, b.testSplit, b.validation, true
	t.defaults = *d
	m, cfg, err := prepareModel(d, t.data)
	if err != nil {
		return 0, err
	}
	cfg.ValidationSplit, cfg.ValidationData = 0, trainer.XY(split.Validation.X, split.Validation.Y)
	cfg.Silent = true
	hist, err := m.Fit(ctx, split.Train.X, split.Train.Y, cfg)
	if err != nil {
		return 0, err
	}
	v, ok := hist.Last(objective)
	if !ok {
		return 0, fmt.Errorf("the objective %q is not logged; profundo train logs %s", objective, strings.Join(hist.Names, ", "))
	}
	return v, nil
}

// settings are the training flags of a trial before its hyperparameters:
// the data flags, each hyperparameter flag holding a single value, and
// profundo train's defaults for the others.
func (f *tuneFlags) settings() trainFlags {
	s := f.base
	if v, err := strconv.ParseFloat(f.lr, 64); err == nil {
		s.lr = v
	}
	if v, err := strconv.ParseFloat(f.dropout, 64); err == nil {
		s.dropout = v
	}
	if v, err := strconv.Atoi(f.batchSize); err == nil {
		s.batchSize = v
	}
	if !strings.ContainsAny(f.optimizer, ",:") {
		s.optimizer = f.optimizer
	}
	return s
}

// hidden returns the units and number of hidden layers of a trial before
// its hyperparameters: the flags holding a single value, else profundo
// train's default network, one layer of 64.
func (f *tuneFlags) hidden() (units, layers int, err error) {
	units, layers = 64, 1
	if v, err := strconv.Atoi(f.units); err == nil {
		units = v
	}
	if v, err := strconv.Atoi(f.layers); err == nil {
		layers = v
	}
	return units, layers, nil
}

// space returns the search space: the --space file, or the flags' ranges
// and lists.
func (f *tuneFlags) space() (tuner.Space, error) {
	flagValue := map[string]string{
		"lr": f.lr, "units": f.units, "layers": f.layers, "dropout": f.dropout,
		"batch-size": f.batchSize, "optimizer": f.optimizer,
	}
	if f.spaceFile != "" {
		for name, v := range flagValue {
			if f.given[name] && strings.ContainsAny(v, ",:") {
				return nil, fmt.Errorf("--%s %s: give ranges in the --space file or as flags, not both", name, v)
			}
		}
		r, err := os.Open(f.spaceFile)
		if err != nil {
			return nil, fmt.Errorf("--space: %w", err)
		}
		defer r.Close()
		space, err := tuner.ReadSpace(r)
		if err != nil {
			return nil, fmt.Errorf("--space %s: %w", f.spaceFile, err)
		}
		return space, f.checkSpace(space, "--space "+f.spaceFile)
	}
	var space tuner.Space
	for _, h := range hyperparameters {
		v, ok := flagValue[h.flag]
		if !ok {
			continue
		}
		p, err := parseParam(h.name, v)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", h.flag, err)
		}
		if p != nil {
			space = append(space, p)
		}
	}
	if len(space) == 0 {
		return nil, errors.New("nothing to tune: give at least one of --lr, --units, --layers, --dropout, --batch-size and --optimizer a range (min:max) or a list (a,b), or a --space file")
	}
	return space, f.checkSpace(space, "the flags")
}

// checkSpace checks that the build function knows every hyperparameter,
// with values of the right type, and that the model has them.
func (f *tuneFlags) checkSpace(space tuner.Space, where string) error {
	want := map[string]tuner.Type{
		"lr": tuner.FloatType, "units": tuner.IntType, "layers": tuner.IntType, "dropout": tuner.FloatType,
		"batch_size": tuner.IntType, "optimizer": tuner.StringType, "epochs": tuner.IntType,
	}
	var known []string
	for _, h := range hyperparameters {
		known = append(known, h.name)
	}
	for _, name := range space.Names() {
		w, ok := want[name]
		if !ok {
			return fmt.Errorf("%s: hyperparameter %q is not one profundo tune sets; it knows %s", where, name, strings.Join(known, ", "))
		}
		got, _ := space.Type(name)
		if got != w && !(w == tuner.FloatType && got == tuner.IntType) {
			return fmt.Errorf("%s: hyperparameter %q must be a %s, got %s values", where, name, w, got)
		}
		if f.base.modelSpec != "mlp" && f.base.modelSpec != "" && (name == "units" || name == "layers") {
			return fmt.Errorf("%s: hyperparameter %q shapes the mlp, not --model %s", where, name, f.base.modelSpec)
		}
		if name == "epochs" && f.search == "hyperband" {
			return fmt.Errorf("%s: hyperband sets each trial's epochs itself; tune --epochs as its maximum instead", where)
		}
	}
	return nil
}

// parseParam reads a hyperparameter flag: a single value (nil: not a
// hyperparameter, a setting), a range min:max[:step] or a list a,b,c.
// Learning-rate ranges are on a log scale, their step a factor.
func parseParam(name, s string) (tuner.Param, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.Contains(s, ","):
		var values []any
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if i, err := strconv.Atoi(part); err == nil {
				values = append(values, i)
			} else if v, err := strconv.ParseFloat(part, 64); err == nil {
				values = append(values, v)
			} else {
				values = append(values, part)
			}
		}
		return tuner.Choice{Name: name, Values: values}, nil
	case strings.Contains(s, ":"):
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return nil, fmt.Errorf("%q: want min:max or min:max:step", s)
		}
		if name == "units" || name == "layers" || name == "batch_size" || name == "epochs" {
			var n [3]int
			for i, part := range parts {
				v, err := strconv.Atoi(strings.TrimSpace(part))
				if err != nil {
					return nil, fmt.Errorf("%q: %q is not an integer", s, part)
				}
				n[i] = v
			}
			return tuner.Int{Name: name, Min: n[0], Max: n[1], Step: n[2]}, nil
		}
		if name == "optimizer" {
			return nil, fmt.Errorf("%q: optimizers are a list, a,b", s)
		}
		var x [3]float64
		for i, part := range parts {
			v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %q is not a number", s, part)
			}
			x[i] = v
		}
		return tuner.Float{Name: name, Min: x[0], Max: x[1], Step: x[2], Log: name == "lr"}, nil
	case s == "":
		return nil, errors.New("empty")
	}
	switch name {
	case "units", "layers", "batch_size", "epochs":
		if _, err := strconv.Atoi(s); err != nil {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
	case "lr", "dropout":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
	}
	return nil, nil
}

// describeStrategy says what the search will run.
func describeStrategy(s tuner.Strategy, trials int) string {
	switch s := s.(type) {
	case tuner.Random:
		return fmt.Sprintf("random, %d trials", trials)
	case tuner.Grid:
		if trials > 0 {
			return fmt.Sprintf("grid, at most %d trials", trials)
		}
		return "grid, every point"
	case tuner.Hyperband:
		epochs, _ := s.Epochs()
		bs, _ := s.Brackets()
		return fmt.Sprintf("hyperband, %d brackets, at most %d epochs a trial, factor %d (%d epochs in all)", len(bs), s.MaxEpochs, s.Factor, epochs)
	}
	return "unknown"
}

// describeSpace lists the hyperparameters and their ranges.
func describeSpace(space tuner.Space) string {
	var parts []string
	for _, p := range space {
		var d string
		switch p := p.(type) {
		case tuner.Float:
			d = fmt.Sprintf("%s %v to %v", p.Name, p.Min, p.Max)
			if p.Log {
				d += " log"
			}
			if p.Step > 0 {
				d += fmt.Sprintf(" step %v", p.Step)
			}
		case tuner.Int:
			d = fmt.Sprintf("%s %d to %d", p.Name, p.Min, p.Max)
			if p.Log {
				d += " log"
			}
			if p.Step > 0 {
				d += fmt.Sprintf(" step %d", p.Step)
			}
		case tuner.Choice:
			d = fmt.Sprintf("%s in %v", p.Name, p.Values)
		case tuner.Boolean:
			d = p.Name + " true or false"
		case tuner.Fixed:
			d = fmt.Sprintf("%s = %v", p.Name, p.Value)
		}
		parts = append(parts, d)
	}
	return strings.Join(parts, ", ")
}
