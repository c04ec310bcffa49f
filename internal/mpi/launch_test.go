package mpi

import (
	"context"
	"os"
	"slices"
	"testing"
)

// TestLaunched checks that Launched follows the variables mpirun sets.
func TestLaunched(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size, rank string // "-" leaves the variable unset
		want       bool
	}{
		{"both", "2", "1", true},
		{"size only", "2", "-", false},
		{"neither", "-", "-", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setenv(t, "OMPI_COMM_WORLD_SIZE", tc.size)
			setenv(t, "OMPI_COMM_WORLD_RANK", tc.rank)
			if got := Launched(); got != tc.want {
				t.Errorf("Launched() = %v with size %q rank %q, want %v", got, tc.size, tc.rank, tc.want)
			}
		})
	}
}

// setenv sets key to v for the test, or unsets it for "-".
func setenv(t *testing.T, key, v string) {
	t.Setenv(key, v) // restores the old value after the test
	if v == "-" {
		unsetenv(t, key)
	}
}

// unsetenv unsets key for the test, restoring it after.
func unsetenv(t *testing.T, key string) {
	t.Setenv(key, "")
	os.Unsetenv(key)
}

// TestCommand checks mpirun's arguments and that Command adds its
// defaults without overriding the caller's environment.
func TestCommand(t *testing.T) {
	t.Setenv("OMPI_MCA_btl", "tcp,self")
	unsetenv(t, "OMPI_MCA_pml")
	cmd := Command(context.Background(), 3, "/bin/prog", "-x", "y")
	if want := []string{"mpirun", "--oversubscribe", "-np", "3", "/bin/prog", "-x", "y"}; !slices.Equal(cmd.Args, want) {
		t.Errorf("args %q, want %q", cmd.Args, want)
	}
	for kv, want := range map[string]bool{
		"OMPI_MCA_btl=tcp,self":    true,
		"OMPI_MCA_btl=vader,self":  false,
		"OMPI_MCA_pml=ob1":         true,
		"OMPI_ALLOW_RUN_AS_ROOT=1": true,
	} {
		if got := slices.Contains(cmd.Env, kv); got != want {
			t.Errorf("env has %s: %v, want %v", kv, got, want)
		}
	}
}
