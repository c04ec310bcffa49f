//go:build mpi

package distributed_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/distributed"
	"github.com/profundo/profundo/internal/mpi"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// The tests run twice: started by go test, a test runs its own binary,
// just that test, in two ranks under mpirun and checks what they wrote;
// started by mpirun, it is one rank and trains.

const ranks = 2

var (
	commOnce sync.Once
	comm     *distributed.Comm
	commErr  error
)

// rankComm joins the world, once per process.
func rankComm(t *testing.T) *distributed.Comm {
	t.Helper()
	commOnce.Do(func() { comm, commErr = distributed.Init() })
	if commErr != nil {
		t.Fatal(commErr)
	}
	return comm
}

// TestMain leaves the world in a rank that joined it: mpirun counts a rank
// that exits without MPI_Finalize as failed.
func TestMain(m *testing.M) {
	code := m.Run()
	if comm != nil && code != 0 {
		// MPI_Finalize waits for the other ranks, which may be waiting in
		// a collective this rank will never join: end the job instead.
		comm.Abort(code)
	}
	if comm != nil {
		if err := comm.Finalize(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// runRanks runs the test named name in two ranks, with env added, and
// returns their output; it fails the test when mpirun runs past timeout.
func runRanks(t *testing.T, name string, timeout time.Duration, env ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("mpirun"); err != nil {
		t.Skipf("mpirun is not on PATH (Debian: apt-get install openmpi-bin): %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := mpi.Command(ctx, ranks, exe, "-test.run", "^"+name+"$", "-test.v", "-test.timeout", (timeout - 5*time.Second).String())
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("mpirun -np %d %s still running after %v, killed (a hang?):\n%s", ranks, name, timeout, out)
	}
	return string(out), err
}

func passRanks(t *testing.T, name string, env ...string) {
	t.Helper()
	out, err := runRanks(t, name, 120*time.Second, env...)
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	if n := strings.Count(out, "--- PASS: "+name+" "); n != ranks {
		t.Fatalf("%d of %d ranks passed %s:\n%s", n, ranks, name, out)
	}
}

// digits returns the embedded digits scaled to [0, 1].
func digits(t *testing.T) *datasets.Dataset {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d.X.Data().([]float64) {
		d.X.Data().([]float64)[i] = v / 16
	}
	return d
}

// model is the network both runs train: no dropout, so that one process
// and two ranks compute the same thing. It is a Sequential, or the same
// network as a functional model when PROFUNDO_DP_KIND is "functional".
func model(t *testing.T, units int) *models.Functional {
	var m *models.Functional
	hidden := &layers.Dense{Units: units, Activation: layers.ReLU}
	out := &layers.Dense{Units: 10, Activation: layers.Softmax}
	if os.Getenv("PROFUNDO_DP_KIND") == "functional" {
		x := models.Input("pixels", 64)
		f, err := models.NewFunctional([]*models.Node{x}, []*models.Node{models.Apply(out, models.Apply(hidden, x))})
		if err != nil {
			t.Fatal(err)
		}
		m = f
	} else {
		m = models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, hidden, out).Model()
	}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 3e-3},
		Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	return m
}

var fit = trainer.FitConfig{Epochs: 3, BatchSize: 64, Seed: 5, ValidationSplit: 0.2, Silent: true}

// weightBytes is every weight's raw bytes, in order.
func weightBytes(m *models.Functional) []byte {
	var b bytes.Buffer
	for _, w := range m.Weights() {
		b.Write(w.Value.Header.Raw)
	}
	return b.Bytes()
}

// TestDataParallelMatchesOneProcess trains the same model on the same
// data, seed and global batch in one process and in two ranks: the ranks'
// weights are bit-identical with each other, and equal the one process's
// to float32 rounding; the reduced logs match too. It runs over a
// Sequential and over the equivalent functional model.
func TestDataParallelMatchesOneProcess(t *testing.T) {
	for _, kind := range []string{"sequential", "functional"} {
		t.Run(kind, func(t *testing.T) {
			if !mpi.Launched() {
				t.Setenv("PROFUNDO_DP_KIND", kind)
			}
			dataParallelMatchesOneProcess(t, kind)
		})
	}
}

func dataParallelMatchesOneProcess(t *testing.T, kind string) {
	if mpi.Launched() {
		c := rankComm(t)
		if c.Size() != ranks {
			t.Fatalf("%d ranks, want %d", c.Size(), ranks)
		}
		// Rank 1 starts from other weights: Fit must replace them with
		// rank 0's.
		m := model(t, 32)
		if c.Rank() == 1 {
			for _, w := range m.Weights() {
				for i := range w.Value.Data().([]float32) {
					w.Value.Data().([]float32)[i] = 0.5
				}
			}
		}
		d := digits(t)
		cfg := fit
		cfg.Comm = c
		hist, err := m.Fit(context.Background(), d.X, d.Y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		dir := os.Getenv("PROFUNDO_DP_OUT")
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("rank-%d.bin", c.Rank())), weightBytes(m), 0o644); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		for _, k := range hist.Names {
			v, _ := hist.Last(k)
			fmt.Fprintf(&logs, "%s=%.6f\n", k, v)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("logs-%d.txt", c.Rank())), logs.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir := t.TempDir()
	passRanks(t, t.Name(), "PROFUNDO_DP_OUT="+dir, "PROFUNDO_DP_KIND="+kind)
	r0, err := os.ReadFile(filepath.Join(dir, "rank-0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	r1, err := os.ReadFile(filepath.Join(dir, "rank-1.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r0, r1) {
		t.Error("the two ranks' weights differ")
	}
	l0, _ := os.ReadFile(filepath.Join(dir, "logs-0.txt"))
	l1, _ := os.ReadFile(filepath.Join(dir, "logs-1.txt"))
	if !bytes.Equal(l0, l1) {
		t.Errorf("the ranks' logs differ:\n%s\n%s", l0, l1)
	}

	m := model(t, 32)
	d := digits(t)
	hist, err := m.Fit(context.Background(), d.X, d.Y, fit)
	if err != nil {
		t.Fatal(err)
	}
	one := weightBytes(m)
	worst := 0.0
	for i := 0; i+4 <= len(one); i += 4 {
		a := math.Float32frombits(binary.LittleEndian.Uint32(one[i:]))
		b := math.Float32frombits(binary.LittleEndian.Uint32(r0[i:]))
		worst = math.Max(worst, math.Abs(float64(a-b)))
	}
	t.Logf("largest weight difference, one process against two ranks, after %d epochs: %g", fit.Epochs, worst)
	if worst > 1e-4 {
		t.Errorf("weights differ by up to %g", worst)
	}
	for _, k := range hist.Names {
		v, _ := hist.Last(k)
		var got float64
		for _, line := range strings.Split(string(l0), "\n") {
			if name, val, ok := strings.Cut(line, "="); ok && name == k {
				fmt.Sscanf(val, "%g", &got)
			}
		}
		if math.Abs(got-v) > 2e-4 {
			t.Errorf("%s: two ranks %.6f, one process %.6f", k, got, v)
		}
	}
}

// TestRanksOfDifferentModels gives rank 1 a different model: Fit fails on
// both ranks, naming rank 1, before any step.
func TestRanksOfDifferentModels(t *testing.T) {
	if mpi.Launched() {
		c := rankComm(t)
		units := 32
		if c.Rank() == 1 {
			units = 33
		}
		m := model(t, units)
		d := digits(t)
		cfg := fit
		cfg.Comm = c
		_, err := m.Fit(context.Background(), d.X, d.Y, cfg)
		if err == nil || !strings.Contains(err.Error(), "rank 1: the model differs from rank 0's") {
			t.Fatalf("got %v", err)
		}
		return
	}
	passRanks(t, t.Name())
}

// TestMoreRanksThanSamples asks two ranks to share a global batch of one.
func TestMoreRanksThanSamples(t *testing.T) {
	if mpi.Launched() {
		c := rankComm(t)
		m := model(t, 8)
		d := digits(t)
		_, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{BatchSize: 1, Comm: c, Silent: true})
		if err == nil || !strings.Contains(err.Error(), "2 ranks for a global batch of 1") {
			t.Fatalf("got %v", err)
		}
		return
	}
	passRanks(t, t.Name())
}
