package mpi_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/profundo/profundo/internal/mpi"
)

// Example is one step of data-parallel training: rank 0's weights go to
// every rank, the ranks check they hold the same model, and each averages
// its gradients with the others'. Run it under mpirun -np N from a build
// with -tags mpi; in the default build Init says how to get one.
func Example() {
	comm, err := mpi.Init()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comm.Finalize()

	weights := []float32{0.1, -0.2, 0.3}
	if err := comm.BcastFloat32(weights, 0); err != nil {
		fmt.Println(err)
		return
	}
	h := sha256.New()
	binary.Write(h, binary.LittleEndian, weights)
	if differ, err := comm.Mismatched(h.Sum(nil)); err != nil || len(differ) > 0 {
		fmt.Println("ranks holding another model:", differ, err)
		comm.Abort(1)
	}

	grads := []float32{0.5, -1, float32(comm.Rank())}
	if err := comm.AllreduceSumFloat32(grads); err != nil {
		fmt.Println(err)
		return
	}
	for i := range grads {
		grads[i] /= float32(comm.Size())
	}
	if comm.Rank() == 0 {
		fmt.Println("mean gradients:", grads)
	}
}
