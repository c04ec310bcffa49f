//go:build openblas

package blas

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"os"

	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
)

// With OpenBLAS, every product runs on one OpenBLAS thread and Profundo
// splits large ones over goroutines itself: OpenBLAS's own threads wait for
// work by spinning, which on a small machine takes the CPUs from the Go
// code between products (measured: the CNN trained 15% faster so).
// Setting OPENBLAS_NUM_THREADS keeps OpenBLAS's threads instead.
func init() {
	impl = netlib.Implementation{}
	name = "openblas"
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" {
		C.openblas_set_num_threads(1)
		split32, split64 = true, true
	}
	gorgonia.Use(netlib.Implementation{})
}
