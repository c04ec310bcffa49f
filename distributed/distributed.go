// Package distributed trains one model over several processes, data
// parallelism as Horovod gives it to Keras and PyTorch, with Open MPI for
// the collective communication.
//
// Every process (a rank) runs the same program on the same data with the
// same seed; Fit, given the Comm, sends rank 0's initial weights to every
// rank, trains each rank on its shard of every global batch, and averages
// the gradients over the ranks before each optimizer step, so the ranks'
// weights stay identical:
//
//	comm, err := distributed.Init()
//	if err != nil { ... }
//	defer comm.Finalize()
//	hist, err := m.Fit(ctx, x, y, trainer.FitConfig{BatchSize: 128, Comm: comm})
//
// Build with -tags mpi (cgo; Debian's libopenmpi-dev) and launch with
// mpirun:
//
//	go build -tags mpi -o train ./cmd/train
//	mpirun -np 2 ./train                              # two ranks here
//	mpirun -np 8 --hostfile hosts ./train             # across machines
//
// The default build has no MPI: Init returns an error saying so, and a
// program that calls it still compiles.
package distributed

import (
	"github.com/profundo/profundo/internal/mpi"
	"github.com/profundo/profundo/trainer"
)

// Comm is the world of ranks this process belongs to. It is a
// trainer.Communicator.
type Comm struct {
	c *mpi.Comm
}

var _ trainer.Communicator = (*Comm)(nil)

// Init joins the world of ranks mpirun started (a world of one when the
// program was started without mpirun). It fails in a build without the mpi
// tag, and when Open MPI cannot give the thread support Go needs.
func Init() (*Comm, error) {
	c, err := mpi.Init()
	if err != nil {
		return nil, err
	}
	return &Comm{c: c}, nil
}

// Available reports whether the program was built with MPI (-tags mpi).
func Available() bool { return mpi.Available() }

// Launched reports whether mpirun started this process.
func Launched() bool { return mpi.Launched() }

// Rank is this process's rank, from 0.
func (c *Comm) Rank() int { return c.c.Rank() }

// Size is the number of ranks.
func (c *Comm) Size() int { return c.c.Size() }

// AllreduceSumFloat32 replaces buf, on every rank, with the sum over the
// ranks.
func (c *Comm) AllreduceSumFloat32(buf []float32) error { return c.c.AllreduceSumFloat32(buf) }

// AllreduceSumFloat64 replaces buf, on every rank, with the sum over the
// ranks.
func (c *Comm) AllreduceSumFloat64(buf []float64) error { return c.c.AllreduceSumFloat64(buf) }

// BcastFloat32 copies root's buf to every rank.
func (c *Comm) BcastFloat32(buf []float32, root int) error { return c.c.BcastFloat32(buf, root) }

// BcastFloat64 copies root's buf to every rank.
func (c *Comm) BcastFloat64(buf []float64, root int) error { return c.c.BcastFloat64(buf, root) }

// Mismatched returns the ranks whose b differs from rank 0's, the same
// answer on every rank.
func (c *Comm) Mismatched(b []byte) ([]int, error) { return c.c.Mismatched(b) }

// Barrier waits until every rank reaches it.
func (c *Comm) Barrier() error { return c.c.Barrier() }

// Finalize leaves the world; call it once, before the program exits (a
// rank that exits without it makes mpirun report the job failed).
func (c *Comm) Finalize() error { return c.c.Finalize() }

// Abort ends every rank of the job with code.
func (c *Comm) Abort(code int) { c.c.Abort(code) }

// AllgatherBytes returns every rank's b, in rank order, on every rank (a
// tuner.Ranks: trials spread over the ranks share their results with it).
func (c *Comm) AllgatherBytes(b []byte) ([][]byte, error) { return c.c.AllgatherBytes(b) }
