package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/profundo/profundo/models"
)

func TestTuneRandom(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"tune", "--trials", "4", "--epochs", "4", "--units", "16:64:16", "--workers", "2", "--dir", dir, "--seed", "3", "--baseline"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	s := out.String()
	for _, want := range []string{
		"Data: digits, classification, 1294 training, 144 validation and 359 test samples",
		"Search: random, 4 trials, objective val_accuracy, seed 3, 2 workers",
		"Space: lr 0.0001 to 0.03 log, units 16 to 64 step 16, dropout 0 to 0.5 step 0.1",
		"Baseline, profundo train's defaults (hidden 64, dropout 0, adam at its default rate, batch 32, 30 epochs, seed 3): val_accuracy=",
		"[4/4] trial ", "best so far: trial ",
		"rank  trial  status     val_accuracy  lr", "random search: 4 trials (4 completed, 0 failed), 16 epochs trained",
		"the baseline's", "Retraining the best configuration (trial ", "Saved the best model to " + filepath.Join(dir, "best"),
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	m := regexp.MustCompile(`(?m)^test_accuracy: ([0-9.]+)$`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no test_accuracy line:\n%s", s)
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 0.8 {
		t.Errorf("test accuracy %v", acc)
	}
	for _, f := range []string{"trials.json", "results.csv", "results.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	model, err := models.Load(filepath.Join(dir, "best"))
	if err != nil {
		t.Fatal(err)
	}
	if hp := model.Notes["hyperparameters"]; !strings.HasPrefix(hp, "lr=") || model.Preprocessing == nil {
		t.Errorf("the saved model's notes %v, preprocessing %v", model.Notes, model.Preprocessing)
	}

	// The same command again resumes: every trial is finished already.
	// The best is retrained on the training and validation splits.
	out.Reset()
	args = []string{"tune", "--trials", "4", "--epochs", "4", "--units", "16:64:16", "--workers", "1", "--dir", dir, "--seed", "3", "--quiet",
		"--retrain-full", "--out", filepath.Join(dir, "full.zip")}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "best: trial ") {
		t.Errorf("--quiet output:\n%s", out.String())
	}
	if _, err := models.Load(filepath.Join(dir, "full.zip")); err != nil {
		t.Error(err)
	}
}

func TestTuneSpaceFileGridAndRegression(t *testing.T) {
	dir := t.TempDir()
	spaceFile := filepath.Join(dir, "space.json")
	space := `{"hyperparameters": [
	  {"name": "optimizer", "type": "choice", "values": ["adam", "sgd"]},
	  {"name": "lr", "type": "float", "min": 0.001, "max": 0.1, "log": true, "step": 10},
	  {"name": "batch_size", "type": "choice", "values": [32, 64]},
	  {"name": "epochs", "type": "fixed", "value": 2}
	]}`
	if err := os.WriteFile(spaceFile, []byte(space), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"tune", "--data", "diabetes", "--space", spaceFile, "--search", "grid", "--dir", filepath.Join(dir, "run"), "--workers", "2"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	s := out.String()
	for _, want := range []string{
		"Search: grid, every point, objective val_loss",
		// Plain SGD diverges on the diabetes targets: those trials fail,
		// the search goes on, and the summary lists them.
		"grid search: 12 trials (6 completed, 6 failed), 12 epochs trained",
		"Failed:\n  trial 6 (optimizer=sgd lr=0.001 batch_size=32 epochs=2): fit: epoch 1, batch 4: loss is +Inf",
		"test_rmse: ",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	var res struct {
		Direction string
		Best      struct{ Values map[string]any }
	}
	raw, err := os.ReadFile(filepath.Join(dir, "run", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &res); err != nil || res.Direction != "min" || res.Best.Values["epochs"] != float64(2) {
		t.Errorf("results.json: %+v (%v)", res, err)
	}
}

func TestTuneHyperband(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"tune", "--search", "hyperband", "--epochs", "3", "--dir", t.TempDir(), "--units", "16:32:16"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	s := out.String()
	for _, want := range []string{
		"Search: hyperband, 2 brackets, at most 3 epochs a trial, factor 3 (11 epochs in all)",
		"bracket  rung  parent", "hyperband search: 6 trials (6 completed, 0 failed), 11 epochs trained",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

// TestTuneInterruptAndResume cancels the search once its first trial is
// saved, then runs the same command, which resumes.
func TestTuneInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	args := []string{"tune", "--trials", "3", "--epochs", "20", "--workers", "1", "--dir", dir}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(dir, "trials.json")); err == nil {
				cancel()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var out, errOut bytes.Buffer
	if code := run(ctx, args, &out, &errOut); code != 130 {
		t.Fatalf("exit %d, want 130: %s\n%s", code, errOut.String(), out.String())
	}
	if !strings.Contains(errOut.String(), "Interrupted: 1 trials finished") {
		t.Errorf("stderr: %s", errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if s := out.String(); !strings.Contains(s, "Resuming the search in "+dir+": 1 trials finished") || !strings.Contains(s, "[3/3]") {
		t.Errorf("resumed output:\n%s", s)
	}
}

func TestTuneErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknown := write("unknown.json", `{"hyperparameters": [{"name": "momentum", "type": "float", "min": 0, "max": 0.9}]}`)
	badType := write("type.json", `{"hyperparameters": [{"name": "units", "type": "choice", "values": ["wide", "narrow"]}]}`)
	contradictory := write("bad.json", `{"hyperparameters": [{"name": "units", "type": "int", "min": 64, "max": 16}]}`)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tune", "--help"}, 0, "-search"},
		{[]string{"tune", "--search", "bayes"}, 1, `--search must be random, grid or hyperband, got "bayes"`},
		{[]string{"tune", "--lr", "a:b"}, 1, `--lr: "a:b": "a" is not a number`},
		{[]string{"tune", "--units", "16:64:8:2"}, 1, "want min:max or min:max:step"},
		{[]string{"tune", "--lr", "0.001", "--units", "32", "--dropout", "0"}, 1, "nothing to tune"},
		{[]string{"tune", "--lr", "0.1:0.01"}, 1, `float "lr": min 0.1 > max 0.01`},
		{[]string{"tune", "--space", unknown}, 1, `hyperparameter "momentum" is not one profundo tune sets`},
		{[]string{"tune", "--space", badType}, 1, `hyperparameter "units" must be a int, got string values`},
		{[]string{"tune", "--space", contradictory}, 1, `int "units": min 64 > max 16`},
		{[]string{"tune", "--space", unknown, "--lr", "0.001:0.1"}, 1, "give ranges in the --space file or as flags, not both"},
		{[]string{"tune", "--validation-split", "0"}, 1, "--validation-split must be in (0, 1)"},
		{[]string{"tune", "--model", "cnn"}, 1, `hyperparameter "units" shapes the mlp, not --model cnn`},
		{[]string{"tune", "--objective", "val_score", "--dir", dir}, 1, "set Direction to Max or Min"},
		{[]string{"tune", "--direction", "up"}, 1, `direction must be auto, max or min, got "up"`},
		{[]string{"tune", "--executions", "0"}, 1, "--executions >= 1"},
		{[]string{"tune", "--data", "nope"}, 1, "--data"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %s)", code, tt.code, errOut.String())
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, all)
			}
		})
	}
}

// TestTuneFailedTrials: an objective that is never logged fails every
// trial, and the command says so.
func TestTuneFailedTrials(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"tune", "--trials", "2", "--epochs", "1", "--objective", "val_auc", "--dir", t.TempDir()}
	if code := run(context.Background(), args, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"2 trials (0 completed, 2 failed)", `failed: objective "val_auc" is not logged; the trial logs loss, accuracy, val_loss, val_accuracy`, "no trial completed"} {
		if !strings.Contains(out.String()+errOut.String(), want) {
			t.Errorf("output lacks %q:\n%s%s", want, out.String(), errOut.String())
		}
	}
}
