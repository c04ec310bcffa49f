//go:build mpi

package mpi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The collective tests run twice: started by go test, a test runs its own
// binary, just that test, in ranks processes under mpirun and checks how
// that went; started by mpirun (Launched), it is one rank and makes the
// MPI calls.

// ranks is the number of processes the tests run under mpirun.
const ranks = 2

// TestMain finalises MPI in a rank that initialised it, since mpirun counts
// a rank that exits without MPI_Finalize as failed.
func TestMain(m *testing.M) {
	code := m.Run()
	mu.Lock()
	w := world
	mu.Unlock()
	if w != nil && !finalized.Load() && code != 0 {
		// MPI_Finalize waits for the other ranks, which may be waiting in
		// a collective this rank will never join: end the job instead.
		w.Abort(code)
	}
	if w != nil && !finalized.Load() {
		if err := w.Finalize(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// runRanks runs the test named name in ranks processes under mpirun, with
// env added to their environment, and returns their output, how long
// mpirun ran and its exit error. It fails the test if mpirun is still
// running after timeout, and skips it if mpirun is not on PATH.
func runRanks(t *testing.T, name string, timeout time.Duration, env ...string) (string, time.Duration, error) {
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
	cmd := Command(ctx, ranks, exe, "-test.run", "^"+name+"$", "-test.v", "-test.timeout", (timeout - 5*time.Second).String())
	cmd.Env = append(cmd.Env, env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("mpirun -np %d %s still running after %v, killed (a hang?):\n%s", ranks, name, timeout, out)
	}
	return string(out), elapsed, err
}

// passRanks runs the test named name under mpirun and fails unless every
// rank ran it and passed.
func passRanks(t *testing.T, name string) {
	t.Helper()
	out, elapsed, err := runRanks(t, name, 60*time.Second)
	if err != nil {
		t.Fatalf("mpirun -np %d %s: %v\n%s", ranks, name, err, out)
	}
	if n := strings.Count(out, "--- PASS: "+name+" "); n != ranks {
		t.Fatalf("%d of %d ranks passed %s:\n%s", n, ranks, name, out)
	}
	t.Logf("%d ranks passed in %v", ranks, elapsed.Round(time.Millisecond))
}

// rankInit initialises MPI in a rank and checks the world against what
// mpirun put in the environment.
func rankInit(t *testing.T) *Comm {
	t.Helper()
	c, err := Init()
	if err != nil {
		t.Fatal(err)
	}
	if want := os.Getenv("OMPI_COMM_WORLD_RANK"); strconv.Itoa(c.Rank()) != want {
		t.Fatalf("Rank() = %d, OMPI_COMM_WORLD_RANK %s", c.Rank(), want)
	}
	if c.Size() != ranks {
		t.Fatalf("Size() = %d, want %d", c.Size(), ranks)
	}
	return c
}

// value is rank r's i-th value in the collective tests: a small integer,
// so sums are exact in every type.
func value(r, i int) int { return (r*7+i*3)%11 - 5 + r }

// want is what a reduction of value(·, i) over size ranks gives.
func want(op string, size, i int) int {
	acc := value(0, i)
	for r := 1; r < size; r++ {
		v := value(r, i)
		switch op {
		case "sum":
			acc += v
		case "max":
			acc = max(acc, v)
		case "min":
			acc = min(acc, v)
		}
	}
	return acc
}

// TestCollectives checks allreduce, broadcast, allgather and the
// fingerprint check with values that differ by rank, whole and in forced
// small chunks, and that MPI errors come back as Go errors.
func TestCollectives(t *testing.T) {
	if !Launched() {
		passRanks(t, "TestCollectives")
		return
	}
	c := rankInit(t)
	rank, size := c.Rank(), c.Size()

	t.Run("init again", func(t *testing.T) {
		if c2, err := Init(); c2 != c || err != nil {
			t.Errorf("second Init() = %p, %v; want the first Comm %p", c2, err, c)
		}
	})

	t.Run("go nil dereference still panics", func(t *testing.T) {
		// Open MPI installs signal handlers; Go's SIGSEGV handler must
		// still turn a nil dereference into a panic.
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		var p *int
		_ = *p
	})

	for _, chunk := range []struct {
		name  string
		bytes int
	}{{"whole", chunkBytes}, {"chunks of 24 bytes", 24}} {
		t.Run(chunk.name, func(t *testing.T) {
			defer func(b int) { chunkBytes = b }(chunkBytes)
			chunkBytes = chunk.bytes
			const n = 1001

			f32, f64, i64 := make([]float32, n), make([]float64, n), make([]int64, n)
			mx, mn := make([]float64, n), make([]float64, n)
			for i := range n {
				v := value(rank, i)
				f32[i], f64[i], i64[i] = float32(v), float64(v)/4, int64(v)<<40
				mx[i], mn[i] = float64(v), float64(v)
			}
			for name, err := range map[string]error{
				"AllreduceSumFloat32": c.AllreduceSumFloat32(f32),
				"AllreduceSumFloat64": c.AllreduceSumFloat64(f64),
				"AllreduceSumInt64":   c.AllreduceSumInt64(i64),
				"AllreduceMaxFloat64": c.AllreduceMaxFloat64(mx),
				"AllreduceMinFloat64": c.AllreduceMinFloat64(mn),
			} {
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			for i := range n {
				s := want("sum", size, i)
				if f32[i] != float32(s) || f64[i] != float64(s)/4 || i64[i] != int64(s)<<40 {
					t.Fatalf("sum [%d] = %v, %v, %v; want %d, %v, %d", i, f32[i], f64[i], i64[i], s, float64(s)/4, int64(s)<<40)
				}
				if mx[i] != float64(want("max", size, i)) || mn[i] != float64(want("min", size, i)) {
					t.Fatalf("max, min [%d] = %v, %v; want %d, %d", i, mx[i], mn[i], want("max", size, i), want("min", size, i))
				}
			}

			for _, root := range []int{0, 1} {
				g32, g64, gb := make([]float32, n), make([]float64, n), make([]byte, n)
				for i := range n {
					v := -1000 // what non-roots hold before
					if rank == root {
						v = value(root, i)
					}
					g32[i], g64[i], gb[i] = float32(v), float64(v)/8, byte(v)
				}
				if err := errors.Join(c.BcastFloat32(g32, root), c.BcastFloat64(g64, root), c.BcastBytes(gb, root)); err != nil {
					t.Fatalf("bcast from %d: %v", root, err)
				}
				for i := range n {
					v := value(root, i)
					if g32[i] != float32(v) || g64[i] != float64(v)/8 || gb[i] != byte(v) {
						t.Fatalf("bcast from %d [%d] = %v, %v, %v; want %d", root, i, g32[i], g64[i], gb[i], v)
					}
				}
			}
		})
	}

	t.Run("allgather bytes", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			b    func(r int) []byte
		}{
			{"lengths by rank", func(r int) []byte { return bytes.Repeat([]byte{byte('a' + r)}, r+1) }},
			{"empty", func(int) []byte { return nil }},
		} {
			all, err := c.AllgatherBytes(tc.b(rank))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(all) != size {
				t.Fatalf("%s: %d slices, want %d", tc.name, len(all), size)
			}
			for r, b := range all {
				if !bytes.Equal(b, tc.b(r)) {
					t.Errorf("%s: rank %d's bytes %q, want %q", tc.name, r, b, tc.b(r))
				}
			}
		}
	})

	t.Run("fingerprints", func(t *testing.T) {
		same := sha256.Sum256([]byte("weights"))
		differ, err := c.Mismatched(same[:])
		if err != nil || differ != nil {
			t.Errorf("same fingerprints: Mismatched = %v, %v; want none", differ, err)
		}
		fp := same
		if rank == size-1 {
			fp = sha256.Sum256([]byte("other weights"))
		}
		differ, err = c.Mismatched(fp[:])
		if err != nil || !slices.Equal(differ, []int{size - 1}) {
			t.Errorf("rank %d differs: Mismatched = %v, %v; want [%d]", size-1, differ, err, size-1)
		}
	})

	t.Run("errors", func(t *testing.T) {
		err := c.BcastFloat32(make([]float32, 3), size)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("root must be in [0, %d), got %d", size, size)) {
			t.Errorf("bcast from root %d: %v", size, err)
		}
		// A count of -1 fails MPI's argument check on every rank alike,
		// with MPI_ERRORS_RETURN as an error rather than an abort.
		err = allreduceRaw(nil, -1, typeFloat32, opSum, 0, 0)
		if err == nil || !strings.Contains(err.Error(), "MPI_Allreduce(float32 sum, values 0 to -1 of 0): MPI_ERR_COUNT") {
			t.Errorf("allreduce of -1 values: %v, want MPI_ERR_COUNT", err)
		}
	})

	t.Run("from another thread", func(t *testing.T) {
		// MPI_THREAD_MULTIPLE: a collective from a goroutine other than
		// the one that called Init.
		buf := []float64{float64(rank)}
		done := make(chan error)
		go func() { done <- c.AllreduceSumFloat64(buf) }()
		if err := <-done; err != nil || buf[0] != float64(size*(size-1)/2) {
			t.Errorf("sum of ranks = %v, %v; want %d", buf[0], err, size*(size-1)/2)
		}
	})

	if err := c.Barrier(); err != nil {
		t.Fatal(err)
	}
}

// TestFinalize checks that no call follows Finalize, except Finalize.
func TestFinalize(t *testing.T) {
	if !Launched() {
		passRanks(t, "TestFinalize")
		return
	}
	c := rankInit(t)
	if err := c.Barrier(); err != nil {
		t.Fatal(err)
	}
	if err := c.Finalize(); err != nil {
		t.Fatal(err)
	}
	if err := c.Finalize(); err != nil {
		t.Errorf("second Finalize: %v", err)
	}
	if c2, err := Init(); c2 != nil || err == nil || !strings.Contains(err.Error(), "Init after Finalize") {
		t.Errorf("Init after Finalize = %v, %v", c2, err)
	}
	for name, err := range map[string]error{
		"Barrier":             c.Barrier(),
		"AllreduceSumFloat32": c.AllreduceSumFloat32([]float32{1}),
	} {
		if err == nil || !strings.Contains(err.Error(), "after Finalize") {
			t.Errorf("%s after Finalize: %v", name, err)
		}
	}
}

// failEnv names the way TestRankFailureEndsJob's rank 1 fails.
const failEnv = "PROFUNDO_MPI_TEST_FAIL"

// TestRankFailureEndsJob checks that when one rank dies before a
// collective (MPI_Abort, a plain non-zero exit, a Go panic), mpirun ends
// the others, which wait in a barrier, and exits non-zero promptly rather
// than hanging.
func TestRankFailureEndsJob(t *testing.T) {
	if Launched() {
		c := rankInit(t)
		if c.Rank() == 1 {
			switch os.Getenv(failEnv) {
			case "abort":
				c.Abort(3)
			case "exit":
				os.Exit(2)
			case "panic":
				panic("rank 1 fails")
			}
		}
		err := c.Barrier()
		t.Fatalf("rank %d: Barrier returned (%v) though rank 1 is gone", c.Rank(), err)
	}
	const timeout, prompt = 20 * time.Second, 10 * time.Second
	for _, tc := range []struct {
		mode     string
		exitCode int // mpirun's exit status, 0 for any non-zero one
	}{{"abort", 3}, {"exit", 0}, {"panic", 0}} {
		t.Run(tc.mode, func(t *testing.T) {
			out, elapsed, err := runRanks(t, "TestRankFailureEndsJob", timeout, failEnv+"="+tc.mode)
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("mpirun ended with %v, want a non-zero exit:\n%s", err, out)
			}
			if tc.exitCode != 0 && exit.ExitCode() != tc.exitCode {
				t.Errorf("mpirun exit status %d, want %d:\n%s", exit.ExitCode(), tc.exitCode, out)
			}
			if elapsed > prompt {
				t.Errorf("mpirun took %v to end the job, want under %v:\n%s", elapsed, prompt, out)
			}
			t.Logf("rank 1 %s: mpirun exited %d after %v", tc.mode, exit.ExitCode(), elapsed.Round(time.Millisecond))
		})
	}
}

// TestLevelName checks the names the thread-level error uses.
func TestLevelName(t *testing.T) {
	for level, want := range map[int]string{0: "MPI_THREAD_SINGLE", 1: "MPI_THREAD_FUNNELED", 2: "MPI_THREAD_SERIALIZED", 3: "MPI_THREAD_MULTIPLE", 7: "7 (unknown)"} {
		if got := levelName(level); got != want {
			t.Errorf("levelName(%d) = %q, want %q", level, got, want)
		}
	}
}

// TestNilComm checks that a Comm that Init did not return is an error, not
// a crash.
func TestNilComm(t *testing.T) {
	var c *Comm
	if err := c.Barrier(); err == nil || !strings.Contains(err.Error(), "nil Comm") {
		t.Errorf("Barrier on nil Comm: %v", err)
	}
}
