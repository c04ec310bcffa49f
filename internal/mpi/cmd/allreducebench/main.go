// Command allreducebench measures MPI's in-place sum allreduce on float32
// buffers, the gradient reduction of data-parallel training: one buffer of
// -total bytes in one AllreduceSumFloat32 call against the same buffer
// reduced in -piece-byte pieces, one call each. (The package splits a call
// into MPI calls of at most 8 MiB, so with the defaults both layouts make
// 8 MiB MPI calls; the "calls" column counts Go calls.) It needs a build with -tags mpi; started without
// mpirun, it runs itself under mpirun -np N on this machine (mpi.Command):
//
//	go run -tags mpi ./internal/mpi/cmd/allreducebench -np 2
//
// Each repetition starts after a barrier and counts the slowest rank's
// time. Rank 0 prints, per layout, the median and fastest time for the
// whole buffer, the algorithm bandwidth (bytes reduced per second) and the
// bus bandwidth (that times 2(n-1)/n, the bytes each rank sends and
// receives in a ring allreduce, comparable across rank counts).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"time"

	"github.com/profundo/profundo/internal/mpi"
)

func main() {
	np := flag.Int("np", 2, "ranks to start, when not started by mpirun")
	total := flag.Int("total", 100<<20, "bytes in the whole buffer")
	piece := flag.Int("piece", 8<<20, "bytes per piece")
	reps := flag.Int("reps", 10, "timed repetitions of each layout, after one untimed")
	flag.Parse()
	if !mpi.Launched() {
		os.Exit(launch(*np))
	}
	if err := run(*total, *piece, *reps); err != nil {
		fmt.Fprintln(os.Stderr, "allreducebench:", err)
		os.Exit(1)
	}
}

// launch runs this program, with its arguments, in np ranks under mpirun,
// and returns mpirun's exit status.
func launch(np int) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "allreducebench:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmd := mpi.Command(ctx, np, exe, os.Args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "allreducebench: mpirun:", err)
		return 1
	}
	return 0
}

// layout is one way of reducing the whole buffer: calls of at most piece
// values each.
type layout struct {
	name  string
	piece int // values per call
}

func run(total, piece, reps int) error {
	comm, err := mpi.Init()
	if err != nil {
		return err
	}
	defer comm.Finalize()
	if total < 4 || piece < 4 || reps < 1 {
		return fmt.Errorf("-total and -piece must be >= 4 bytes and -reps >= 1, got %d, %d, %d", total, piece, reps)
	}
	// Zeros stay zeros however often they are summed: no overflow to Inf
	// over the repetitions, and the same arithmetic cost.
	buf := make([]float32, total/4)
	layouts := []layout{
		{fmt.Sprintf("one %s buffer", size(total)), len(buf)},
		{fmt.Sprintf("%s pieces", size(piece)), piece / 4},
	}
	times := make([][]float64, len(layouts)) // [layout][rep] seconds
	for l, lay := range layouts {
		times[l] = make([]float64, reps)
		for rep := -1; rep < reps; rep++ {
			if err := comm.Barrier(); err != nil {
				return err
			}
			start := time.Now()
			for lo := 0; lo < len(buf); lo += lay.piece {
				if err := comm.AllreduceSumFloat32(buf[lo:min(lo+lay.piece, len(buf))]); err != nil {
					return err
				}
			}
			if rep >= 0 {
				times[l][rep] = time.Since(start).Seconds()
			}
		}
		if err := comm.AllreduceMaxFloat64(times[l]); err != nil {
			return err
		}
	}
	if comm.Rank() != 0 {
		return nil
	}
	n := comm.Size()
	bytes := float64(len(buf) * 4)
	fmt.Printf("%d ranks, float32 sum allreduce of %s in all, %d repetitions (slowest rank's time)\n", n, size(total), reps)
	fmt.Printf("%-22s %6s %12s %12s %12s %12s\n", "layout", "calls", "median", "fastest", "algbw GB/s", "busbw GB/s")
	for l, lay := range layouts {
		t := slices.Clone(times[l])
		slices.Sort(t)
		med := t[len(t)/2]
		if len(t)%2 == 0 {
			med = (t[len(t)/2-1] + t[len(t)/2]) / 2
		}
		alg := bytes / med / 1e9
		fmt.Printf("%-22s %6d %12s %12s %12.2f %12.2f\n", lay.name, (len(buf)+lay.piece-1)/lay.piece,
			dur(med), dur(t[0]), alg, alg*2*float64(n-1)/float64(n))
	}
	return nil
}

// size formats a byte count in MiB, or bytes below 1 MiB.
func size(b int) string {
	if b < 1<<20 {
		return fmt.Sprintf("%d B", b)
	}
	return fmt.Sprintf("%.4g MiB", float64(b)/(1<<20))
}

func dur(s float64) string {
	return time.Duration(s * 1e9).Round(10 * time.Microsecond).String()
}
