// Package cli is the profundo command: train, evaluate, predict, serve and
// tune Profundo models from the command line. cmd/profundo is this package
// with no options; a program of one's own that calls Main with
// Options.Layers is the same command, whose every subcommand also loads and
// builds models with the user's own layer kinds:
//
//	func main() {
//		os.Exit(cli.Main(os.Args[1:], cli.Options{Layers: func(kind string) (layers.Layer, bool) {
//			if kind == "scale" {
//				return &Scale{}, true
//			}
//			return nil, false
//		}}))
//	}
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

// Options are what a program of one's own adds to the command.
type Options struct {
	// Layers makes layers of kinds the layers package does not know (the
	// user's own), for every model the command loads: a saved model, a
	// checkpoint, a JSON model spec (--model). It returns false for a kind
	// it does not make. Nil means none, as in cmd/profundo.
	Layers func(kind string) (layers.Layer, bool)
}

// loadOptions are the models package's options for loading under o.
func (o Options) loadOptions() models.LoadOptions {
	return models.LoadOptions{Layers: o.Layers}
}

// load reads a saved model or checkpoint with o's layer kinds.
func (o Options) load(path string) (*models.Functional, error) {
	return models.LoadWith(path, o.loadOptions())
}

// Main runs the command with its arguments (without the program's name) on
// the process's standard output and error, and returns the exit status: 0
// on success, 1 on an error, 2 on a usage error, 130 when interrupted
// (SIGINT or SIGTERM, after a training run has saved its checkpoint).
func Main(args []string, o Options) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, os.Stdout, os.Stderr, o)
}

const usage = `profundo: Keras-like deep learning in Go.

Usage:
  profundo train [flags]   train a network (by default on the embedded
                           digits set) and print its test metrics
  profundo serve --model DIR [flags]
                           serve a saved model's predictions over HTTP
  profundo evaluate --model DIR [flags]
                           score a saved model on its test split or a CSV:
                           metrics, classification report, confusion matrix
  profundo predict --model DIR --input FILE.csv [flags]
                           write a saved model's predictions for new rows
                           (for several inputs, a row holds each input's
                           values flattened, in the model's input order)
  profundo tune [flags]    search hyperparameters on the validation split,
                           in parallel; retrain and test the best
  profundo help            show this help

Run "profundo <command> --help" for a command's flags.
`

// Run is the whole command, with its context (cancelling it interrupts the
// command as a signal does), arguments and outputs given. It returns the
// exit status, as Main does.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, o Options) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "train":
		if err := train(ctx, args[1:], stdout, stderr, o); err != nil {
			switch err {
			case errHelp:
				return 0
			case errInterrupted:
				return 130
			}
			fmt.Fprintf(stderr, "profundo train: %v\n", err)
			return 1
		}
		return 0
	case "serve":
		return exitCode(serveModel(ctx, args[1:], stdout, stderr, o), "serve", stderr)
	case "evaluate":
		return exitCode(evaluate(ctx, args[1:], stdout, stderr, o), "evaluate", stderr)
	case "predict":
		return exitCode(predict(ctx, args[1:], stdout, stderr, o), "predict", stderr)
	case "tune":
		err := tune(ctx, args[1:], stdout, stderr, o)
		if err == errInterrupted {
			return 130
		}
		return exitCode(err, "tune", stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "profundo: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// exitCode reports err for command and returns the exit status: 0 for none
// (or --help), 1 otherwise.
func exitCode(err error, command string, stderr io.Writer) int {
	if err == nil || err == errHelp {
		return 0
	}
	fmt.Fprintf(stderr, "profundo %s: %v\n", command, err)
	return 1
}

// parse parses a command's flags: --help is errHelp, and arguments left
// after the flags are an error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}
