// Command profundo trains, evaluates and runs Profundo models from the
// command line.
//
//	profundo train [flags]    train a network on the embedded digits set
//
// Run "profundo train --help" for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
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
  profundo tune [flags]    search hyperparameters on the validation split,
                           in parallel; retrain and test the best
  profundo help            show this help

Run "profundo <command> --help" for a command's flags.
`

// run is the whole command, with its arguments and outputs given, so tests
// can call it. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "train":
		if err := train(ctx, args[1:], stdout, stderr); err != nil {
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
		return exitCode(serveModel(ctx, args[1:], stdout, stderr), "serve", stderr)
	case "evaluate":
		return exitCode(evaluate(ctx, args[1:], stdout, stderr), "evaluate", stderr)
	case "predict":
		return exitCode(predict(ctx, args[1:], stdout, stderr), "predict", stderr)
	case "tune":
		err := tune(ctx, args[1:], stdout, stderr)
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
