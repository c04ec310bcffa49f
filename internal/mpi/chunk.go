package mpi

import "math"

// chunkBytes is the most bytes one MPI call moves: 8 MiB. Counts in MPI's
// C API are ints, so a slice of more than math.MaxInt32 values has to go in
// several calls anyway, but large messages are slow well before that. With
// Open MPI 4.1.4 on two ranks over shared memory, measured on a Firecracker
// VM, one 100 MiB allreduce took 0.6 to 1 s where 13 calls of 8 MiB on the
// same buffer took 22 to 26 ms (internal/mpi/cmd/allreducebench). From 32
// MiB a call mallocs a temporary as large as the message, which glibc
// serves by a fresh mmap each time (its dynamic mmap threshold stops at 32
// MiB), and first-touching fresh pages costs about 5 ms per MiB on that VM;
// that explains part of the gap. Open MPI 4.x has also had collectives that
// overflow int byte offsets on messages over 2 GiB (open-mpi/ompi#9616,
// #10094), which small chunks avoid too. At 8 MiB a call moves far more
// than a network's bandwidth-delay product, so the extra calls cost
// nothing measurable. Tests lower it to run the chunked path on small
// slices.
var chunkBytes = 8 << 20

// chunks calls f for consecutive ranges [lo, hi) that cover n values of
// size bytes each, every range at most chunkBytes (and at least one value)
// and at most math.MaxInt32 values, and stops at f's first error. Every
// rank passes the same n, so every rank makes the same calls.
func chunks(n, size int, f func(lo, hi int) error) error {
	per := min(max(chunkBytes/size, 1), math.MaxInt32)
	for lo := 0; lo < n; lo += per {
		if err := f(lo, min(lo+per, n)); err != nil {
			return err
		}
	}
	return nil
}
