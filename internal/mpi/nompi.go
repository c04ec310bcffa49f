//go:build !mpi

package mpi

import (
	"os"

	"github.com/pkg/errors"
)

// This is the default, pure-Go build: no MPI, one process. Init says how to
// get MPI; the rest has the MPI build's signatures, so callers compile in
// both builds, and answers as a world of one process that cannot
// communicate.

var errNotBuilt = errors.New("built without MPI: build with -tags mpi (needs libopenmpi-dev)")

// Comm is MPI's world communicator. In this build Init returns none.
type Comm struct{}

// Available reports whether this build has MPI: false without the tag mpi.
func Available() bool { return false }

// Init returns an error saying to build with -tags mpi.
func Init() (*Comm, error) { return nil, errNotBuilt }

// Rank is 0: without MPI there is one process.
func (c *Comm) Rank() int { return 0 }

// Size is 1: without MPI there is one process.
func (c *Comm) Size() int { return 1 }

// AllreduceSumFloat32 returns the not-built error.
func (c *Comm) AllreduceSumFloat32(buf []float32) error { return errNotBuilt }

// AllreduceSumFloat64 returns the not-built error.
func (c *Comm) AllreduceSumFloat64(buf []float64) error { return errNotBuilt }

// AllreduceSumInt64 returns the not-built error.
func (c *Comm) AllreduceSumInt64(buf []int64) error { return errNotBuilt }

// AllreduceMaxFloat64 returns the not-built error.
func (c *Comm) AllreduceMaxFloat64(buf []float64) error { return errNotBuilt }

// AllreduceMinFloat64 returns the not-built error.
func (c *Comm) AllreduceMinFloat64(buf []float64) error { return errNotBuilt }

// BcastFloat32 returns the not-built error.
func (c *Comm) BcastFloat32(buf []float32, root int) error { return errNotBuilt }

// BcastFloat64 returns the not-built error.
func (c *Comm) BcastFloat64(buf []float64, root int) error { return errNotBuilt }

// BcastBytes returns the not-built error.
func (c *Comm) BcastBytes(buf []byte, root int) error { return errNotBuilt }

// AllgatherBytes returns the not-built error.
func (c *Comm) AllgatherBytes(b []byte) ([][]byte, error) { return nil, errNotBuilt }

// Mismatched returns the not-built error.
func (c *Comm) Mismatched(b []byte) ([]int, error) { return nil, errNotBuilt }

// Barrier returns the not-built error.
func (c *Comm) Barrier() error { return errNotBuilt }

// Finalize returns the not-built error.
func (c *Comm) Finalize() error { return errNotBuilt }

// Abort ends this process with os.Exit(code), the one process there is.
func (c *Comm) Abort(code int) { os.Exit(code) }
