package tuner

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/internal/jsonfloat"
)

// Status says how a trial ended.
type Status string

const (
	// Completed trials trained and logged a finite objective.
	Completed Status = "completed"
	// Failed trials ended with an error: the build function's, Fit's (a
	// NaN loss), a panic, an objective not logged or not finite.
	Failed Status = "failed"
)

// Trial is one configuration trained to a number of epochs and scored. A
// Hyperband trial may continue another (its Parent) from the epoch that
// one reached.
type Trial struct {
	// ID numbers the trial from 0, in the order the search planned it;
	// it depends on the seed and the results alone, never on scheduling.
	ID int
	// Values are the hyperparameters.
	Values *Values
	// Status is Completed or Failed.
	Status Status
	// Score is the objective after the last epoch, the mean over the
	// executions; NaN when the trial failed.
	Score float64
	// Scores holds each execution's score.
	Scores []float64
	// Metrics holds the last epoch's logs, each the mean over executions.
	Metrics map[string]float64
	// Seeds holds each execution's seed (Values.Seed).
	Seeds []int64
	// Epochs is the number of epochs the trial's models were trained to.
	Epochs int
	// InitialEpoch is the epoch the trial started from: 0, or where its
	// Parent stopped.
	InitialEpoch int
	// Parent is the ID of the trial this one continues (Hyperband), -1
	// for none.
	Parent int
	// Bracket and Rung place a Hyperband trial in its schedule; 0
	// otherwise.
	Bracket, Rung int
	// EpochsRun counts the epochs this trial trained, over all its
	// executions: Epochs-InitialEpoch each, more when a resumed search had
	// to train a promoted model from scratch, fewer when it stopped early.
	EpochsRun int
	// Err says why the trial failed; empty when it completed.
	Err string
	// Elapsed is the trial's wall-clock time.
	Elapsed time.Duration
}

// number is a float64 that round-trips through JSON, NaN and infinities
// included.
type number = jsonfloat.Float

// trialJSON is a Trial as the results file holds it.
type trialJSON struct {
	ID           int               `json:"id"`
	Values       json.RawMessage   `json:"values"`
	Status       Status            `json:"status"`
	Score        *number           `json:"score,omitempty"`
	Scores       []number          `json:"scores,omitempty"`
	Metrics      map[string]number `json:"metrics,omitempty"`
	Seeds        []int64           `json:"seeds"`
	Epochs       int               `json:"epochs"`
	InitialEpoch int               `json:"initial_epoch"`
	Parent       int               `json:"parent"`
	Bracket      int               `json:"bracket"`
	Rung         int               `json:"rung"`
	EpochsRun    int               `json:"epochs_run"`
	Error        string            `json:"error,omitempty"`
	ElapsedS     float64           `json:"elapsed_s"`
}

func (t *Trial) toJSON() (trialJSON, error) {
	vals, err := json.Marshal(t.Values)
	if err != nil {
		return trialJSON{}, errors.Wrapf(err, "trial %d: values", t.ID)
	}
	j := trialJSON{
		ID: t.ID, Values: vals, Status: t.Status, Seeds: t.Seeds, Epochs: t.Epochs,
		InitialEpoch: t.InitialEpoch, Parent: t.Parent, Bracket: t.Bracket, Rung: t.Rung,
		EpochsRun: t.EpochsRun, Error: t.Err, ElapsedS: t.Elapsed.Seconds(),
	}
	if t.Status == Completed {
		s := number(t.Score)
		j.Score = &s
	}
	for _, s := range t.Scores {
		j.Scores = append(j.Scores, number(s))
	}
	if len(t.Metrics) > 0 {
		j.Metrics = map[string]number{}
		for k, v := range t.Metrics {
			j.Metrics[k] = number(v)
		}
	}
	return j, nil
}

func (j trialJSON) toTrial(c *compiled) (*Trial, error) {
	dec := json.NewDecoder(bytes.NewReader(j.Values))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, errors.Wrapf(err, "trial %d: values", j.ID)
	}
	vals, err := c.values(m)
	if err != nil {
		return nil, errors.Wrapf(err, "trial %d", j.ID)
	}
	if j.Status != Completed && j.Status != Failed {
		return nil, errors.Errorf("trial %d: status %q; want completed or failed", j.ID, j.Status)
	}
	t := &Trial{
		ID: j.ID, Values: vals, Status: j.Status, Score: math.NaN(), Seeds: j.Seeds, Epochs: j.Epochs,
		InitialEpoch: j.InitialEpoch, Parent: j.Parent, Bracket: j.Bracket, Rung: j.Rung,
		EpochsRun: j.EpochsRun, Err: j.Error, Elapsed: time.Duration(j.ElapsedS * float64(time.Second)),
	}
	if j.Status == Completed {
		if j.Score == nil {
			return nil, errors.Errorf("trial %d: completed without a score", j.ID)
		}
		t.Score = float64(*j.Score)
	}
	for _, s := range j.Scores {
		t.Scores = append(t.Scores, float64(s))
	}
	if len(j.Metrics) > 0 {
		t.Metrics = map[string]float64{}
		for k, v := range j.Metrics {
			t.Metrics[k] = float64(v)
		}
	}
	return t, nil
}
