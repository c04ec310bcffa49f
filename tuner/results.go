package tuner

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/internal/atomicfile"
)

// Results are a search's trials and how to read them.
type Results struct {
	// Objective is what the search optimized, its direction resolved.
	Objective Objective
	// Strategy is "random", "grid" or "hyperband".
	Strategy string
	// Seed is the search's seed.
	Seed int64
	// Trials are the finished trials by ID, failed ones included.
	Trials []*Trial
	// Exhausted says that a random search stopped short of MaxTrials
	// because the space holds no more distinct configurations.
	Exhausted bool

	space *compiled
}

// Sorted returns the trials best first: completed ones by score (ties by
// ID), then failed ones by ID.
func (r *Results) Sorted() []*Trial {
	ts := append([]*Trial(nil), r.Trials...)
	sort.SliceStable(ts, func(i, j int) bool { return ranksBefore(r.Objective, ts[i], ts[j]) })
	return ts
}

// Best returns the best completed trial, and false when none completed.
func (r *Results) Best() (*Trial, bool) {
	ts := r.Sorted()
	if len(ts) == 0 || ts[0].Status != Completed {
		return nil, false
	}
	return ts[0], true
}

// Failed returns the failed trials by ID.
func (r *Results) Failed() []*Trial {
	var out []*Trial
	for _, t := range r.Trials {
		if t.Status == Failed {
			out = append(out, t)
		}
	}
	return out
}

// TotalEpochs is the number of epochs the search trained, over every
// trial and execution (Trial.EpochsRun).
func (r *Results) TotalEpochs() int {
	n := 0
	for _, t := range r.Trials {
		n += t.EpochsRun
	}
	return n
}

// columns are the table's header: rank, trial, status, the objective, the
// hyperparameters, epochs, epochs_run, for Hyperband bracket, rung and
// parent, then error.
func (r *Results) columns() []string {
	cols := []string{"rank", "trial", "status", r.Objective.Metric}
	cols = append(cols, r.paramNames()...)
	cols = append(cols, "epochs", "epochs_run")
	if r.Strategy == "hyperband" {
		cols = append(cols, "bracket", "rung", "parent")
	}
	return append(cols, "error")
}

func (r *Results) paramNames() []string {
	if r.space != nil {
		return r.space.names()
	}
	seen := map[string]bool{}
	var names []string
	for _, t := range r.Trials {
		for _, n := range t.Values.Names() {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
}

// rows returns the table's cells, best first; short formats numbers for
// reading, else they keep every digit.
func (r *Results) rows(short bool) [][]string {
	num := func(f float64) string {
		if short {
			return strconv.FormatFloat(f, 'f', 4, 64)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	var rows [][]string
	for i, t := range r.Sorted() {
		rank, score := strconv.Itoa(i+1), num(t.Score)
		if t.Status != Completed {
			rank, score = "-", "-"
		}
		row := []string{rank, strconv.Itoa(t.ID), string(t.Status), score}
		for _, n := range r.paramNames() {
			v, ok := t.Values.Get(n)
			switch {
			case !ok:
				row = append(row, "-")
			case short:
				row = append(row, format(v))
			default:
				if f, isFloat := v.(float64); isFloat {
					row = append(row, num(f))
				} else {
					row = append(row, fmt.Sprint(v))
				}
			}
		}
		row = append(row, strconv.Itoa(t.Epochs), strconv.Itoa(t.EpochsRun))
		if r.Strategy == "hyperband" {
			parent := "-"
			if t.Parent >= 0 {
				parent = strconv.Itoa(t.Parent)
			}
			row = append(row, strconv.Itoa(t.Bracket), strconv.Itoa(t.Rung), parent)
		}
		msg := t.Err
		if short {
			msg = strings.Join(strings.Fields(msg), " ")
		}
		rows = append(rows, append(row, msg))
	}
	return rows
}

// Table returns the trials as a text table, best first, one line each;
// it holds no timings, so a search repeated with the same seed prints the
// same table.
func (r *Results) Table() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(r.columns(), "\t"))
	for _, row := range r.rows(true) {
		fmt.Fprintln(w, strings.TrimRight(strings.Join(row, "\t"), "\t"))
	}
	_ = w.Flush()
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// WriteCSV writes the table as CSV, best first, with a header row and
// every digit of the numbers.
func (r *Results) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.columns()); err != nil {
		return errors.Wrap(err, "results: csv")
	}
	if err := cw.WriteAll(r.rows(false)); err != nil {
		return errors.Wrap(err, "results: csv")
	}
	return nil
}

// resultsJSON is results.json.
type resultsJSON struct {
	Strategy    string        `json:"strategy"`
	Seed        int64         `json:"seed"`
	Objective   string        `json:"objective"`
	Direction   string        `json:"direction"`
	Trials      int           `json:"trials"`
	Completed   int           `json:"completed"`
	Failed      int           `json:"failed"`
	TotalEpochs int           `json:"total_epochs"`
	Exhausted   bool          `json:"exhausted,omitempty"`
	Best        *rowJSON      `json:"best"`
	Table       []rowJSON     `json:"table"`
	Failures    []failureJSON `json:"failures"`
}

type rowJSON struct {
	Rank      int            `json:"rank,omitempty"`
	Trial     int            `json:"trial"`
	Status    Status         `json:"status"`
	Score     *number        `json:"score,omitempty"`
	Values    *Values        `json:"values"`
	Metrics   map[string]any `json:"metrics,omitempty"`
	Epochs    int            `json:"epochs"`
	EpochsRun int            `json:"epochs_run"`
	Bracket   *int           `json:"bracket,omitempty"`
	Rung      *int           `json:"rung,omitempty"`
	Parent    *int           `json:"parent,omitempty"`
	Error     string         `json:"error,omitempty"`
}

type failureJSON struct {
	Trial int    `json:"trial"`
	Error string `json:"error"`
}

// WriteJSON writes the results as JSON: the settings, the counts, the
// total epochs, the best trial, the table best first, and the failures.
// Like Table it holds no timings.
func (r *Results) WriteJSON(w io.Writer) error {
	out := resultsJSON{
		Strategy: r.Strategy, Seed: r.Seed, Objective: r.Objective.Metric, Direction: r.Objective.Direction.String(),
		Trials: len(r.Trials), TotalEpochs: r.TotalEpochs(), Exhausted: r.Exhausted, Table: []rowJSON{}, Failures: []failureJSON{},
	}
	for i, t := range r.Sorted() {
		row := rowJSON{Trial: t.ID, Status: t.Status, Values: t.Values, Epochs: t.Epochs, EpochsRun: t.EpochsRun, Error: t.Err}
		if t.Status == Completed {
			out.Completed++
			s := number(t.Score)
			row.Rank, row.Score = i+1, &s
			row.Metrics = map[string]any{}
			for k, v := range t.Metrics {
				row.Metrics[k] = number(v)
			}
		} else {
			out.Failed++
			out.Failures = append(out.Failures, failureJSON{Trial: t.ID, Error: t.Err})
		}
		if r.Strategy == "hyperband" {
			b, rung, p := t.Bracket, t.Rung, t.Parent
			row.Bracket, row.Rung, row.Parent = &b, &rung, &p
		}
		out.Table = append(out.Table, row)
	}
	sort.Slice(out.Failures, func(i, j int) bool { return out.Failures[i].Trial < out.Failures[j].Trial })
	if len(out.Table) > 0 && out.Table[0].Status == Completed {
		best := out.Table[0]
		out.Best = &best
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return errors.Wrap(err, "results: json")
	}
	_, err = w.Write(append(data, '\n'))
	return errors.Wrap(err, "results: json")
}

// Save writes results.csv and results.json to dir, atomically.
func (r *Results) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errors.Wrap(err, "results: save")
	}
	if err := atomicfile.Write(filepath.Join(dir, CSVFile), 0o644, r.WriteCSV); err != nil {
		return errors.Wrap(err, "results: save")
	}
	return errors.Wrap(atomicfile.Write(filepath.Join(dir, JSONFile), 0o644, r.WriteJSON), "results: save")
}

// Summary says in a few lines how the search went: the trials, completed
// and failed, the epochs trained, the best trial, and each failure.
func (r *Results) Summary() string {
	var b strings.Builder
	failed := r.Failed()
	fmt.Fprintf(&b, "%s search: %d trials (%d completed, %d failed), %d epochs trained\n",
		r.Strategy, len(r.Trials), len(r.Trials)-len(failed), len(failed), r.TotalEpochs())
	if r.Exhausted {
		b.WriteString("The space holds no more distinct configurations.\n")
	}
	if best, ok := r.Best(); ok {
		fmt.Fprintf(&b, "Best: trial %d, %s=%.4f", best.ID, r.Objective.Metric, best.Score)
		if len(best.Scores) > 1 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, s := range best.Scores {
				lo, hi = math.Min(lo, s), math.Max(hi, s)
			}
			fmt.Fprintf(&b, " (mean of %d executions, %.4f to %.4f)", len(best.Scores), lo, hi)
		}
		fmt.Fprintf(&b, ", %d epochs: %s\n", best.Epochs, best.Values.Text())
	} else {
		b.WriteString("No trial completed.\n")
	}
	if len(failed) > 0 {
		b.WriteString("Failed:\n")
		for _, t := range failed {
			fmt.Fprintf(&b, "  trial %d (%s): %s\n", t.ID, t.Values.Text(), t.Err)
		}
	}
	return b.String()
}
