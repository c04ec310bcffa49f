//go:build !mpi

package mpi

import (
	"strings"
	"testing"
)

// TestInitNotBuilt checks that the default build says how to get MPI, and
// that a Comm's methods answer as one process that cannot communicate.
func TestInitNotBuilt(t *testing.T) {
	if Available() {
		t.Error("Available() = true in the build without MPI")
	}
	c, err := Init()
	if c != nil || err == nil {
		t.Fatalf("Init() = %v, %v; want nil and an error", c, err)
	}
	const want = "built without MPI: build with -tags mpi (needs libopenmpi-dev)"
	if err.Error() != want {
		t.Errorf("Init error %q, want %q", err, want)
	}
	if r, s := c.Rank(), c.Size(); r != 0 || s != 1 {
		t.Errorf("Rank, Size = %d, %d; want 0, 1", r, s)
	}
	for name, err := range map[string]error{
		"AllreduceSumFloat32": c.AllreduceSumFloat32([]float32{1}),
		"BcastBytes":          c.BcastBytes([]byte{1}, 0),
		"Barrier":             c.Barrier(),
		"Finalize":            c.Finalize(),
	} {
		if err == nil || !strings.Contains(err.Error(), "-tags mpi") {
			t.Errorf("%s: error %v, want the not-built error", name, err)
		}
	}
}
