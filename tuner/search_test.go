package tuner_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

func TestWorkersGiveTheSameTable(t *testing.T) {
	data := digits(t)
	var tables []string
	for _, workers := range []int{1, 2, 3} {
		s := &tuner.Search{
			Space: mlpSpace(), Build: buildMLP(2), Objective: tuner.Objective{Metric: "val_accuracy"},
			MaxTrials: 6, Seed: 11, Workers: workers,
		}
		res, err := s.Run(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Trials) != 6 || len(res.Failed()) != 0 {
			t.Fatalf("%d workers: %d trials, %d failed:\n%s", workers, len(res.Trials), len(res.Failed()), res.Summary())
		}
		tables = append(tables, res.Table())
	}
	for i := 1; i < len(tables); i++ {
		if tables[i] != tables[0] {
			t.Errorf("1 worker:\n%s\n%d workers:\n%s", tables[0], i+1, tables[i])
		}
	}
	best := strings.Split(tables[0], "\n")[1]
	if !strings.HasPrefix(best, "1 ") {
		t.Errorf("the table does not start with rank 1:\n%s", tables[0])
	}
}

func TestFailedTrialsDoNotStopTheSearch(t *testing.T) {
	data := digits(t)
	space := tuner.Space{
		tuner.Choice{Name: "case", Values: []any{"ok", "error", "panic", "nil", "unknown", "type"}},
		tuner.Choice{Name: "lr", Values: []any{0.01, 1e30}},
	}
	build := func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		m, cfg, err := buildMLP(2)(hp)
		switch hp.String("case") {
		case "error":
			return nil, cfg, errors.New("no such layer")
		case "panic":
			var l []int
			_ = l[3]
		case "nil":
			return nil, cfg, nil
		case "unknown":
			_ = hp.Int("layers")
		case "type":
			_ = hp.Bool("lr")
		}
		return m, cfg, err
	}
	s := &tuner.Search{Space: space, Build: build, Strategy: tuner.Grid{}, Objective: tuner.Objective{Metric: "val_accuracy"}, Seed: 1, Workers: 2}
	res, err := s.Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trials) != 12 {
		t.Fatalf("%d trials, want 12", len(res.Trials))
	}
	byCase := map[string]string{}
	for _, tr := range res.Trials {
		c, _ := tr.Values.Get("case")
		lr, _ := tr.Values.Get("lr")
		if lr == 0.01 {
			byCase[c.(string)] = tr.Err
		} else if c == "ok" {
			byCase["big lr"] = tr.Err
		}
		if tr.Status == tuner.Failed && !math.IsNaN(tr.Score) {
			t.Errorf("failed trial %d has score %v", tr.ID, tr.Score)
		}
	}
	want := map[string]string{
		"ok":      "",
		"big lr":  "loss is",
		"error":   "build: no such layer",
		"panic":   "panic: runtime error: index out of range",
		"nil":     "build: it returned no model",
		"unknown": `build: hyperparameter "layers" is not in the search space (case, lr)`,
		"type":    `build: hyperparameter "lr" is 0.01, not a bool`,
	}
	for c, w := range want {
		got := byCase[c]
		if (w == "") != (got == "") || !strings.Contains(got, w) {
			t.Errorf("case %s: error %q, want %q", c, got, w)
		}
	}
	best, ok := res.Best()
	if !ok || best.Values.Text() != "case=ok lr=0.01" {
		t.Fatalf("best: %v %v", best, ok)
	}
	sum := res.Summary()
	if !strings.Contains(sum, "12 trials (1 completed, 11 failed)") || !strings.Contains(sum, "Failed:\n  trial 1 (case=ok lr=1e+30): fit: epoch 1") {
		t.Errorf("summary:\n%s", sum)
	}
	if !strings.Contains(res.Table(), "failed     -  ") {
		t.Errorf("table:\n%s", res.Table())
	}
}

func TestObjectiveNotLogged(t *testing.T) {
	data := digits(t)
	var fits atomic.Int32
	build := func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		m, cfg, err := buildMLP(5)(hp)
		cfg.Callbacks = []trainer.Callback{trainer.CallbackFunc(func(e *trainer.Event) error {
			if e.Kind == trainer.EpochEnd {
				fits.Add(1)
			}
			return nil
		})}
		return m, cfg, err
	}
	s := &tuner.Search{Space: mlpSpace(), Build: build, Objective: tuner.Objective{Metric: "val_auc"}, MaxTrials: 3, Seed: 1}
	res, err := s.Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed()) != 3 {
		t.Fatalf("%d of 3 trials failed", len(res.Failed()))
	}
	for _, tr := range res.Trials {
		if want := `objective "val_auc" is not logged; the trial logs loss, accuracy, val_loss, val_accuracy`; !strings.Contains(tr.Err, want) {
			t.Errorf("trial %d: %q, want %q", tr.ID, tr.Err, want)
		}
	}
	if fits.Load() != 0 || res.TotalEpochs() != 0 {
		t.Errorf("%d epochs trained (%d counted) before failing", fits.Load(), res.TotalEpochs())
	}
	if _, ok := res.Best(); ok {
		t.Error("a best trial among failures")
	}
	if !strings.Contains(res.Summary(), "No trial completed.") {
		t.Errorf("summary:\n%s", res.Summary())
	}
}

func TestBadSettingsFailBeforeAnyTrial(t *testing.T) {
	data := digits(t)
	var builds atomic.Int32
	build := func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		builds.Add(1)
		return buildMLP(1)(hp)
	}
	tests := []struct {
		name string
		s    tuner.Search
		data tuner.Data
		want string
	}{
		{"empty space", tuner.Search{Build: build}, data, "no hyperparameters"},
		{"contradictory space", tuner.Search{Space: tuner.Space{tuner.Int{Name: "units", Min: 9, Max: 3}}, Build: build}, data, "min 9 > max 3"},
		{"no build", tuner.Search{Space: mlpSpace()}, data, "no build function"},
		{"no data", tuner.Search{Space: mlpSpace(), Build: build}, tuner.Data{}, "no training data"},
		{"unknown direction", tuner.Search{Space: mlpSpace(), Build: build, Objective: tuner.Objective{Metric: "val_score"}}, data, "set Direction to Max or Min"},
		{"negative trials", tuner.Search{Space: mlpSpace(), Build: build, MaxTrials: -1}, data, "max trials must be >= 0, got -1"},
		{"hyperband factor", tuner.Search{Space: mlpSpace(), Build: build, Strategy: tuner.Hyperband{Factor: 1}}, data, "factor must be >= 2"},
		{"grid points", tuner.Search{Space: mlpSpace(), Build: build, Strategy: tuner.Grid{Points: 1}}, data, "points must be >= 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Run(context.Background(), tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if builds.Load() != 0 {
		t.Errorf("%d models built", builds.Load())
	}
}

func TestResumeAfterInterruption(t *testing.T) {
	data := digits(t)
	newSearch := func(dir string, build tuner.BuildFunc) *tuner.Search {
		return &tuner.Search{
			Space: mlpSpace(), Build: build, Objective: tuner.Objective{Metric: "val_accuracy"},
			MaxTrials: 8, Seed: 5, Workers: 1, Dir: dir,
		}
	}
	full, err := newSearch(t.TempDir(), buildMLP(2)).Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel while trial 5 trains, after its build.
	interrupting := func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		m, cfg, err := buildMLP(2)(hp)
		if hp.Trial() == 5 {
			cfg.Callbacks = []trainer.Callback{trainer.CallbackFunc(func(e *trainer.Event) error {
				if e.Kind == trainer.BatchEnd && e.Batch == 3 {
					cancel()
				}
				return nil
			})}
		}
		return m, cfg, err
	}
	part, err := newSearch(dir, interrupting).Run(ctx, data)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted search: error %v, want context.Canceled", err)
	}
	if len(part.Trials) != 5 {
		t.Fatalf("interrupted search finished %d trials, want 5:\n%s", len(part.Trials), part.Table())
	}
	var saved struct{ Trials []struct{ ID int } }
	raw, err := os.ReadFile(filepath.Join(dir, tuner.TrialsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &saved); err != nil || len(saved.Trials) != 5 {
		t.Fatalf("trials.json holds %d trials (%v)", len(saved.Trials), err)
	}

	var mu sync.Mutex
	var built []int
	counting := func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		mu.Lock()
		built = append(built, hp.Trial())
		mu.Unlock()
		return buildMLP(2)(hp)
	}
	var progress strings.Builder
	s := newSearch(dir, counting)
	s.Progress = &progress
	resumed, err := s.Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != 3 || built[0] != 5 || built[1] != 6 || built[2] != 7 {
		t.Errorf("the resumed search built trials %v, want [5 6 7]", built)
	}
	if resumed.Table() != full.Table() {
		t.Errorf("resumed:\n%s\nuninterrupted:\n%s", resumed.Table(), full.Table())
	}
	if !strings.Contains(progress.String(), "5 trials finished") || !strings.Contains(progress.String(), "[8/8] trial 7") {
		t.Errorf("progress:\n%s", progress.String())
	}

	// More trials extend the search; another seed is refused.
	s.MaxTrials = 10
	built = nil
	if _, err := s.Run(context.Background(), data); err != nil || len(built) != 2 {
		t.Errorf("extending to 10 trials built %v (error %v), want trials 8 and 9", built, err)
	}
	s.Seed = 6
	if _, err := s.Run(context.Background(), data); err == nil || !strings.Contains(err.Error(), "seed 5 there, 6 here") {
		t.Errorf("another seed in the same directory: error %v", err)
	}
	s.Seed, s.Space = 5, tuner.Space{tuner.Float{Name: "lr", Min: 1e-3, Max: 3e-2, Log: true}}
	if _, err := s.Run(context.Background(), data); err == nil || !strings.Contains(err.Error(), "holds another search (space") {
		t.Errorf("another space in the same directory: error %v", err)
	}
}

func TestResultsFiles(t *testing.T) {
	data := digits(t)
	dir := t.TempDir()
	s := &tuner.Search{Space: mlpSpace(), Build: buildMLP(1), Objective: tuner.Objective{Metric: "val_loss"}, MaxTrials: 4, Seed: 2, Dir: dir, Executions: 2}
	res, err := s.Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if res.Objective.Direction != tuner.Min {
		t.Errorf("val_loss resolved to %v", res.Objective.Direction)
	}
	for _, tr := range res.Trials {
		if len(tr.Scores) != 2 || tr.Seeds[0] == tr.Seeds[1] || math.Abs(tr.Score-(tr.Scores[0]+tr.Scores[1])/2) > 1e-12 || tr.EpochsRun != 2 {
			t.Errorf("trial %d: scores %v, seeds %v, score %v, epochs run %d", tr.ID, tr.Scores, tr.Seeds, tr.Score, tr.EpochsRun)
		}
	}
	sorted := res.Sorted()
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Score < sorted[i-1].Score {
			t.Errorf("val_loss is not ascending: %v then %v", sorted[i-1].Score, sorted[i].Score)
		}
	}
	f, err := os.Open(filepath.Join(dir, tuner.CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "rank,trial,status,val_loss,lr,units,dropout,epochs,epochs_run,error" || len(rows) != 5 {
		t.Errorf("CSV header %s, %d rows", got, len(rows))
	}
	var out struct {
		Trials      int `json:"trials"`
		TotalEpochs int `json:"total_epochs"`
		Best        struct {
			Trial  int
			Values map[string]any
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, tuner.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if out.Trials != 4 || out.TotalEpochs != 8 || out.Best.Trial != sorted[0].ID || out.Best.Values["units"] != float64(sorted[0].Values.Int("units")) {
		t.Errorf("results.json: %+v\n%s", out, raw)
	}
}

func TestTrainBest(t *testing.T) {
	data := digits(t)
	s := &tuner.Search{Space: mlpSpace(), Build: buildMLP(3), Objective: tuner.Objective{Metric: "val_accuracy"}, MaxTrials: 3, Seed: 4}
	res, err := s.Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "best")
	best, err := s.TrainBest(context.Background(), res, data, tuner.Final{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := best.History.Last("val_accuracy"); v != best.Trial.Score {
		t.Errorf("retrained val_accuracy %v, the trial scored %v", v, best.Trial.Score)
	}
	if len(best.History.Epochs) != 3 || best.Test["accuracy"] < 0.5 {
		t.Errorf("retrained %d epochs, test %v", len(best.History.Epochs), best.Test)
	}
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	logs, err := m.Evaluate(context.Background(), data.Test.X, data.Test.Y)
	if err != nil {
		t.Fatal(err)
	}
	if logs["accuracy"] != best.Test["accuracy"] {
		t.Errorf("the saved model scores %v on test, the retrained one %v", logs["accuracy"], best.Test["accuracy"])
	}

	full, err := s.TrainBest(context.Background(), res, data, tuner.Final{Full: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := full.History.Last("val_accuracy"); ok || full.Test == nil {
		t.Errorf("training on train+validation logged validation, or has no test score: %v", full.History.Names)
	}
	if _, err := s.TrainBest(context.Background(), &tuner.Results{}, data, tuner.Final{}); err == nil {
		t.Error("TrainBest without a completed trial: no error")
	}
}
