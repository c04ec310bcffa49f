package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/distributed"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

var errHelp = errors.New("help shown")

// errInterrupted is returned when a signal stopped training and a
// checkpoint was written.
var errInterrupted = errors.New("interrupted")

type trainFlags struct {
	data, path, target, task, dataDir string
	taskFlag                          datasets.Task
	csv                               csvFlags

	epochs     int
	batchSize  int
	lr         float64
	optimizer  string
	seed       int64
	hidden     string
	dropout    float64
	testSplit  float64
	validation float64
	quiet      bool

	out        string
	curves     string
	modelSpec  string
	custom     Options // the program's own layer kinds
	checkpoint string
	resume     bool

	earlyStopping int
	reduceLR      int
}

func parseTrainFlags(args []string, stderr io.Writer) (*trainFlags, error) {
	f := &trainFlags{}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.data, "data", "digits", "data set: digits, iris, wine, breast-cancer, diabetes (embedded), mnist, fashion-mnist (IDX files, found or downloaded), or csv (with --path and --target)")
	fs.StringVar(&f.path, "path", "", "the CSV file, for --data csv")
	fs.StringVar(&f.target, "target", "", "the CSV column to predict, for --data csv")
	fs.StringVar(&f.task, "task", "auto", "classification, regression, or auto: detected from the target (categorical or few integer values: classification)")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory holding the IDX files for mnist or fashion-mnist; empty looks in $PROFUNDO_DATA, the user cache and Debian's dataset-fashion-mnist, then downloads")
	fs.IntVar(&f.epochs, "epochs", 30, "passes over the training data")
	fs.IntVar(&f.batchSize, "batch-size", 32, "samples per training step")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate; 0 means the optimizer's Keras default (adam: 0.001, sgd: 0.01)")
	fs.StringVar(&f.optimizer, "optimizer", "adam", "optimizer: sgd, adam, adamw, rmsprop or adagrad")
	fs.Int64Var(&f.seed, "seed", 1, "seed for the weights, the split, the shuffling and dropout; the same seed gives the same run")
	fs.StringVar(&f.hidden, "hidden", "64", "units of the hidden dense layers, comma-separated (\"128,64\"); empty for none")
	fs.Float64Var(&f.dropout, "dropout", 0, "dropout rate after each hidden layer, in [0, 1)")
	fs.Float64Var(&f.testSplit, "test-split", 0.2, "fraction of the data held out for the final test, stratified by class (mnist and fashion-mnist have their own test set)")
	fs.Float64Var(&f.validation, "validation-split", 0.1, "fraction of the training data scored as val_ metrics each epoch; 0 for none")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the test metrics")
	fs.StringVar(&f.out, "out", "", "directory to save the trained model in (with its preprocessing), for evaluate, predict and serve")
	fs.StringVar(&f.curves, "curves", "", "also write the training curves (loss and metrics per epoch, training and validation) as a PNG to this file")
	fs.StringVar(&f.modelSpec, "model", "mlp", "the network: mlp (dense layers of --hidden), cnn (the small convolutional network of models.NewSmallCNN, for images), or a JSON model spec file (see the models package's FromSpec)")
	fs.IntVar(&f.earlyStopping, "early-stopping", 0, "stop when val_loss has not improved for this many epochs, keeping the best weights (needs --validation-split); 0 for never")
	fs.IntVar(&f.reduceLR, "reduce-lr", 0, "halve the learning rate when val_loss has not improved for this many epochs (needs --validation-split); 0 for never")
	fs.StringVar(&f.checkpoint, "checkpoint", "profundo-checkpoint.zip", "where an interrupted run (Ctrl-C, SIGTERM) saves its checkpoint, and where --resume reads it")
	f.csv.register(fs)
	fs.BoolVar(&f.resume, "resume", false, "continue the interrupted run saved at --checkpoint; give the same other flags")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: profundo train [flags]

Trains a network on a data set (by default a multi-layer perceptron on the
embedded UCI optical digits, 1,797 8x8 images of the digits 0-9), shows the
model summary and the progress of each epoch, then evaluates on the held-out
test split and prints each test metric alone on a line: test_loss,
test_accuracy for classification, test_rmse, test_mae and test_r2 for
regression. Features are standardized with statistics of the training split.

Ctrl-C or SIGTERM stops after the current batch, saves a checkpoint and
exits with status 130; the same command with --resume continues the run
and ends with the weights an uninterrupted run would have.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if f.epochs <= 0 {
		return nil, fmt.Errorf("--epochs must be > 0, got %d", f.epochs)
	}
	if f.batchSize <= 0 {
		return nil, fmt.Errorf("--batch-size must be > 0, got %d", f.batchSize)
	}
	if f.earlyStopping < 0 || f.reduceLR < 0 {
		return nil, fmt.Errorf("--early-stopping and --reduce-lr must be >= 0, got %d and %d", f.earlyStopping, f.reduceLR)
	}
	if (f.earlyStopping > 0 || f.reduceLR > 0) && f.validation == 0 {
		return nil, errors.New("--early-stopping and --reduce-lr watch val_loss: they need --validation-split > 0")
	}
	if err := f.checkRanges(); err != nil {
		return nil, err
	}
	if err := f.csv.check(); err != nil {
		return nil, err
	}
	var err error
	if f.taskFlag, err = datasets.ParseTask(f.task); err != nil {
		return nil, fmt.Errorf("--task: %w", err)
	}
	return f, nil
}

// run describes the flags that shape a run, for checking that --resume
// continues the same one.
func (f *trainFlags) run() string {
	return fmt.Sprintf("data=%s path=%s target=%s task=%s epochs=%d batch=%d lr=%v optimizer=%s seed=%d hidden=%s dropout=%v test=%v validation=%v model=%s early_stopping=%d reduce_lr=%d",
		f.data, f.path, f.target, f.task, f.epochs, f.batchSize, f.lr, f.optimizer, f.seed, f.hidden, f.dropout, f.testSplit, f.validation, f.modelSpec,
		f.earlyStopping, f.reduceLR)
}

func parseUnits(s string) ([]int, error) {
	var units []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("--hidden: %q is not a positive number of units", part)
		}
		units = append(units, n)
	}
	return units, nil
}

func train(ctx context.Context, args []string, stdout, stderr io.Writer, o Options) (err error) {
	f, err := parseTrainFlags(args, stderr)
	if err != nil {
		return err
	}
	f.custom = o
	// Under mpirun, every rank runs this command: they train data-parallel,
	// and rank 0 alone prints and writes files.
	comm, err := joinRanks(&stdout)
	if err != nil {
		return err
	}
	if comm != nil {
		defer leaveRanks(comm, "train", stderr, &err)
		if comm.Rank() != 0 {
			f.curves, f.out = "", ""
		}
	}
	// Every file the run writes is checked before the work starts.
	if err := f.checkOutputs(); err != nil {
		return err
	}
	data, err := loadData(ctx, f, stdout)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "Interrupted while loading the data: nothing was trained, nothing written.")
		return errInterrupted
	}
	if err != nil {
		return err
	}
	model, fitCfg, err := prepareModel(f, data)
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(stdout, "Data: %s, %s, %d training and %d test samples\n", data.name, data.task, data.train.Len(), data.test.Len())
		fmt.Fprint(stdout, model.Summary())
	}
	fitCfg.Silent, fitCfg.Progress = f.quiet, stdout
	if comm != nil {
		fitCfg.Comm = comm
		if !f.quiet {
			fmt.Fprintf(stdout, "Data-parallel over %d ranks: global batch %d, about %d samples per rank\n", comm.Size(), fitCfg.BatchSize, fitCfg.BatchSize/comm.Size())
		}
	}
	if f.reduceLR > 0 {
		fitCfg.Callbacks = append(fitCfg.Callbacks, &trainer.ReduceLROnPlateau{Monitor: "val_loss", Factor: 0.5, Patience: f.reduceLR})
	}
	if f.earlyStopping > 0 {
		fitCfg.Callbacks = append(fitCfg.Callbacks, &trainer.EarlyStopping{Monitor: "val_loss", Patience: f.earlyStopping, RestoreBestWeights: true})
	}
	start := time.Now()
	var hist *trainer.History
	// A checkpoint taken after the last epoch leaves nothing to train.
	if fitCfg.InitialEpoch < f.epochs {
		hist, err = model.Fit(ctx, data.train.X, data.train.Y, fitCfg)
	}
	var stop *trainer.Interrupted
	if errors.As(err, &stop) && comm != nil && comm.Rank() != 0 {
		return errInterrupted
	}
	if errors.As(err, &stop) {
		phase := "training"
		if stop.Batch == 0 && stop.Epoch > fitCfg.InitialEpoch {
			phase = "training or validation"
		}
		return keepCheckpoint(f, model, stop.Epoch, stop.Batch, phase, err, stderr)
	}
	if err != nil {
		return err
	}
	if !f.quiet && hist != nil {
		fmt.Fprintf(stdout, "Trained in %s\n", time.Since(start).Round(time.Millisecond))
	}
	scores, err := model.Evaluate(ctx, data.test.X, data.test.Y)
	if err != nil && ctx.Err() != nil {
		if comm != nil && comm.Rank() != 0 {
			return errInterrupted
		}
		return keepCheckpoint(f, model, f.epochs, 0, "the test evaluation", err, stderr)
	}
	if err != nil {
		return err
	}
	printScores(stdout, scores)
	// The run has finished: a signal from here on no longer stops it. The
	// model is saved, then the command says it was interrupted.
	if f.out != "" {
		if err := model.Save(f.out); err != nil {
			return err
		}
		if !f.quiet {
			fmt.Fprintf(stdout, "Saved the model to %s\n", f.out)
		}
		if f.resume {
			_ = os.Remove(f.checkpoint)
		}
	}
	if f.curves != "" {
		if hist == nil || len(hist.Epochs) == 0 {
			fmt.Fprintf(stderr, "No training curves to write to %s: this run trained no epoch (it resumed after the last).\n", f.curves)
		} else if err := hist.SavePNG(f.curves); err != nil {
			return err
		} else if !f.quiet {
			fmt.Fprintf(stdout, "Wrote the training curves to %s\n", f.curves)
		}
	}
	if ctx.Err() != nil && (comm == nil || comm.Rank() == 0) {
		if f.out != "" {
			fmt.Fprintf(stderr, "Interrupted while saving: the run had finished, and the model was saved to %s.\n", f.out)
		} else {
			fmt.Fprintln(stderr, "Interrupted at the end: the run had finished and printed its test metrics; no --out was given to save the model to.")
		}
		return errInterrupted
	}
	return nil
}

// shortName is the name a metric is printed under: test_rmse, test_r2.
func shortName(metric string) string {
	switch metric {
	case "root_mean_squared_error":
		return "rmse"
	case "mean_absolute_error":
		return "mae"
	case "mean_squared_error":
		return "mse"
	case "r2_score":
		return "r2"
	}
	return metric
}

// prepareModel returns the model to train and how: resumed from the
// checkpoint, read from --model, or the default network for the task.
func prepareModel(f *trainFlags, data *prepared) (*models.Functional, trainer.FitConfig, error) {
	cfg := trainer.FitConfig{Epochs: f.epochs, BatchSize: f.batchSize, ValidationSplit: f.validation, Seed: f.seed}
	if f.resume {
		m, err := f.custom.load(f.checkpoint)
		if err != nil {
			return nil, cfg, fmt.Errorf("--resume: %w", err)
		}
		at := m.Checkpoint()
		if at == nil {
			return nil, cfg, fmt.Errorf("--resume: %s is a saved model, not a checkpoint", f.checkpoint)
		}
		if at.Run != f.run() {
			return nil, cfg, fmt.Errorf("--resume: the checkpoint is of another run:\n  checkpoint: %s\n  this run:   %s", at.Run, f.run())
		}
		cfg.InitialEpoch, cfg.InitialBatch = at.Epoch, at.Batch
		return m, cfg, nil
	}
	opt, err := optimizers.ByName(f.optimizer, f.lr)
	if err != nil {
		return nil, cfg, fmt.Errorf("--optimizer: %w", err)
	}
	var m *models.Functional
	switch f.modelSpec {
	case "", "mlp":
		mlp, err := defaultModel(f, data)
		if err != nil {
			return nil, cfg, err
		}
		m = mlp.Model()
	case "cnn":
		if data.task != datasets.Classification {
			return nil, cfg, fmt.Errorf("--model cnn: %s is not a classification task", data.name)
		}
		cnn, err := models.NewSmallCNN(layers.Shape(data.train.X.Shape()[1:]), len(data.classNames), f.dropout)
		if err != nil {
			return nil, cfg, fmt.Errorf("--model cnn on %s: %w", data.name, err)
		}
		m = cnn.Model()
	default:
		r, err := os.Open(f.modelSpec)
		if err != nil {
			return nil, cfg, fmt.Errorf("--model: %w", err)
		}
		m, err = models.FromSpec(r, f.custom.loadOptions())
		r.Close()
		if err != nil {
			return nil, cfg, fmt.Errorf("--model %s: %w", f.modelSpec, err)
		}
	}
	compile := models.Config{Optimizer: opt, Seed: f.seed}
	if c := m.Config(); c.Loss != nil {
		compile = c // the spec's own compile settings
		compile.Seed = f.seed
	} else if data.task == datasets.Classification {
		compile.Loss = losses.SparseCategoricalCrossentropy{}
		compile.Metrics = []metrics.Metric{&metrics.Accuracy{}}
	} else {
		compile.Loss = losses.MeanSquaredError{}
		compile.Metrics = []metrics.Metric{&metrics.RootMeanSquaredError{}, &metrics.MeanAbsoluteError{}, &metrics.R2Score{}}
	}
	if err := m.Compile(compile); err != nil {
		return nil, cfg, err
	}
	m.ClassNames, m.Preprocessing, m.Tabular = data.classNames, data.preprocessing, data.tabular
	m.Notes = map[string]string{
		"data": f.data, "path": recordedPath(f.path), "encoding": f.csv.encoding, "target": f.target, "task": data.task.String(),
		"seed": strconv.FormatInt(f.seed, 10), "test_split": strconv.FormatFloat(f.testSplit, 'g', -1, 64),
	}
	return m, cfg, nil
}

// defaultModel is a multi-layer perceptron: the hidden dense ReLU layers of
// --hidden (each followed by dropout when --dropout is set), then a softmax
// over the classes, or one linear output for regression.
func defaultModel(f *trainFlags, data *prepared) (*models.Sequential, error) {
	units, err := parseUnits(f.hidden)
	if err != nil {
		return nil, err
	}
	in := layers.Shape(data.train.X.Shape()[1:])
	m := models.NewSequential(&layers.Input{Shape: in})
	if len(in) > 1 {
		_ = m.Add(&layers.Flatten{})
	}
	for _, u := range units {
		_ = m.Add(&layers.Dense{Units: u, Activation: layers.ReLU})
		if f.dropout > 0 {
			_ = m.Add(&layers.Dropout{Rate: f.dropout})
		}
	}
	if data.task == datasets.Classification {
		k := len(data.classNames)
		if k < 2 {
			return nil, fmt.Errorf("%s: classification needs at least 2 classes, found %d", data.name, k)
		}
		_ = m.Add(&layers.Dense{Units: k, Activation: layers.Softmax})
	} else {
		// The network learns standardized targets; the rescaling puts its
		// output, loss and metrics back in the target's units.
		mean, std, err := targetStats(data.train)
		if err != nil {
			return nil, err
		}
		_ = m.Add(&layers.Dense{Units: 1})
		_ = m.Add(&layers.Rescaling{Scale: std, Offset: mean})
	}
	return m, nil
}

// targetStats is the mean and standard deviation of a regression target
// column; a constant target has standard deviation 1.
func targetStats(d *datasets.Dataset) (mean, std float64, err error) {
	s := &datasets.StandardScaler{}
	if err := s.Fit(d.Y); err != nil {
		return 0, 0, fmt.Errorf("regression target: %w", err)
	}
	if len(s.Mean) != 1 {
		return 0, 0, fmt.Errorf("regression target has %d columns; the default network predicts one", len(s.Mean))
	}
	return s.Mean[0], s.Scale[0], nil
}

// joinRanks joins the world of ranks when mpirun started the command, and
// silences *stdout on every rank but 0; it returns nil otherwise.
func joinRanks(stdout *io.Writer) (*distributed.Comm, error) {
	if !distributed.Launched() {
		return nil, nil
	}
	comm, err := distributed.Init()
	if err != nil {
		return nil, fmt.Errorf("started by mpirun, but: %w", err)
	}
	if comm.Rank() != 0 {
		*stdout = io.Discard
	}
	return comm, nil
}

// leaveRanks leaves the world of ranks: with MPI_Finalize when the command
// succeeded (or every rank was interrupted), else by ending the whole job,
// since the other ranks may be waiting in a collective this one will never
// join, and MPI_Finalize would wait for them.
func leaveRanks(comm *distributed.Comm, command string, stderr io.Writer, err *error) {
	if *err == nil || *err == errInterrupted || *err == errHelp {
		comm.Finalize()
		return
	}
	fmt.Fprintf(stderr, "profundo %s: rank %d: %v\n", command, comm.Rank(), *err)
	comm.Abort(1)
}
