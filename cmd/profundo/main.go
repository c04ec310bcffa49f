// Command profundo trains, evaluates, runs, serves and tunes Profundo
// models from the command line.
//
//	profundo train [flags]    train a network on the embedded digits set
//
// Run "profundo help" for the commands. The command is package cli; a
// program of one's own that calls cli.Main with its layer kinds is the same
// command for models with custom layers (see examples/custom_cli).
package main

import (
	"os"

	"github.com/profundo/profundo/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Options{}))
}
