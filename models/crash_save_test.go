package models_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// crashModels returns the two models the crash test saves in turn: the
// same network trained one epoch from seeds 1 and 2.
func crashModels(t testing.TB) [2]*models.Sequential {
	t.Helper()
	train, _ := digits(t)
	var ms [2]*models.Sequential
	for i := range ms {
		ms[i] = mlp(t, int64(i+1))
		if _, err := ms[i].Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 1, Seed: int64(i + 1), Silent: true}); err != nil {
			t.Fatal(err)
		}
	}
	return ms
}

// TestSaveCrashChild is the child process of TestSaveCrash: it saves the
// two models in turn, as a model directory, a checkpoint directory and a
// checkpoint zip, until it is killed.
func TestSaveCrashChild(t *testing.T) {
	dir := os.Getenv("PROFUNDO_SAVE_CRASH_DIR")
	if dir == "" {
		t.Skip("the child process of TestSaveCrash")
	}
	ms := crashModels(t)
	fmt.Println("ready")
	for i := 0; ; i++ {
		m := ms[i%2]
		if err := m.Save(filepath.Join(dir, "model")); err != nil {
			t.Fatal(err)
		}
		at := models.Checkpoint{Epoch: i % 2, Seed: 1, Run: "crash"}
		if err := m.SaveCheckpoint(filepath.Join(dir, "ckpt"), at); err != nil {
			t.Fatal(err)
		}
		if err := m.SaveCheckpoint(filepath.Join(dir, "ckpt.zip"), at); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSaveCrash kills (SIGKILL) a process that saves two models in turn
// over the same paths, at many instants, and checks that every path then
// loads and holds, bit for bit, one of the two models, and a checkpoint
// the position saved with it.
func TestSaveCrash(t *testing.T) {
	kills := 60
	if testing.Short() {
		kills = 8
	}
	ms := crashModels(t)
	want := [2]map[string][]float64{weightsOf(ms[0]), weightsOf(ms[1])}
	dir := t.TempDir()
	// The paths start out holding the first model, as a user's would.
	if err := ms[0].Save(filepath.Join(dir, "model")); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	midSave := 0
	seen := map[string]int{}
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSaveCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PROFUNDO_SAVE_CRASH_DIR="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		if !sc.Scan() || sc.Text() != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child %d did not start: %q %s", k, sc.Text(), stderr.String())
		}
		// A kill at a random instant of the save loop: each round of three
		// saves takes some milliseconds.
		time.Sleep(time.Duration(rng.Int63n(int64(80 * time.Millisecond))))
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if strings.Contains(stderr.String(), "FAIL") {
			t.Fatalf("child %d failed before it was killed: %s", k, stderr.String())
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				midSave++
				break
			}
		}
		for _, name := range []string{"model", "ckpt", "ckpt.zip"} {
			path := filepath.Join(dir, name)
			if _, err := os.Stat(path); os.IsNotExist(err) && name != "model" {
				continue // killed before its first save
			}
			m, err := models.Load(path)
			if err != nil {
				t.Fatalf("kill %d: %s does not load: %v", k, name, err)
			}
			got := weightsOf(m)
			which := -1
			for i := range want {
				if reflect.DeepEqual(got, want[i]) {
					which = i
				}
			}
			if which < 0 {
				t.Fatalf("kill %d: %s holds weights of neither model", k, name)
			}
			if name != "model" {
				if at := m.Checkpoint(); at == nil || at.Epoch != which {
					t.Fatalf("kill %d: %s holds model %d with checkpoint %+v", k, name, which, at)
				}
			}
			seen[fmt.Sprintf("%s=%d", name, which)]++
		}
	}
	t.Logf("%d kills, %d of them left a save half-done beside the paths; outcomes %v", kills, midSave, seen)
	if !testing.Short() && midSave == 0 {
		t.Error("no kill landed during a save")
	}
}
