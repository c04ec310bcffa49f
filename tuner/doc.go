// Package tuner searches hyperparameters, a step of the workflow: learning
// rate, units, dropout, batch size, epochs... chosen by experiment on the
// validation split, never on the test split. It follows Keras Tuner's
// concepts:
//
//   - a Space of typed hyperparameters: Int and Float ranges (on a log
//     scale if asked), Choice, Boolean and Fixed, any of them conditional on
//     an earlier one (When);
//   - a BuildFunc that reads a trial's Values and returns a compiled model
//     and its trainer.FitConfig, so batch size and epochs can be
//     hyperparameters too;
//   - a Strategy: Random, Grid, or Hyperband (successive halving, losers
//     stopped early);
//   - an Objective, a metric Fit logs and its direction;
//   - a Search that runs the trials on Workers goroutines (each trial builds
//     its own model and graphs), cancellable with a context, and keeps
//     trials.json in Dir up to date as each trial finishes, so that an
//     interrupted search resumes without redoing finished trials.
//
// The search is repeatable: trial i's hyperparameters and model seeds
// derive from (Seed, i) alone, never from the order in which workers finish,
// so one worker and eight give the same table. Results prints the trials
// best first (Table, WriteCSV, WriteJSON, Summary), failed trials included
// with their errors; Search.TrainBest trains the best configuration again
// (on train and validation together, if asked), saves it and scores it once
// on the test split.
//
// A trial that errors, panics, logs a NaN loss or does not log the
// objective fails alone: it is marked Failed with its error and the search
// goes on. An empty or contradictory space is an error before any trial.
//
// The API takes no generic functions, so notebooks can call all of it.
package tuner
