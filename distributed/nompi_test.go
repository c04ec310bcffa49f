//go:build !mpi

package distributed_test

import (
	"strings"
	"testing"

	"github.com/profundo/profundo/distributed"
)

// Without the mpi tag there is no MPI: Init says how to get it.
func TestInitWithoutMPI(t *testing.T) {
	if distributed.Available() {
		t.Fatal("Available in a build without the mpi tag")
	}
	_, err := distributed.Init()
	if err == nil || !strings.Contains(err.Error(), "build with -tags mpi") {
		t.Errorf("got %v", err)
	}
}
