//go:build openblas

package blas

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
)

func init() {
	impl = netlib.Implementation{}
	name = "openblas"
	gorgonia.Use(netlib.Implementation{})
}
