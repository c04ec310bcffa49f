// Package mpi is the few Open MPI calls data-parallel training needs:
// in-place sum allreduce of gradients, broadcast of weights from one rank,
// and a check that every rank holds the same model fingerprint.
//
// The default build is pure Go and has no MPI: Init returns an error saying
// how to get one, and everything else compiles with the same signatures, so
// callers need no build tags of their own. Built with the tag mpi (cgo,
// Debian's libopenmpi-dev, found through pkg-config's ompi-c), the calls go
// to Open MPI:
//
//	go build -tags mpi ./...
//	mpirun -np 2 ./train
//
// Only the world communicator is wrapped, and it is set to return errors
// (MPI_ERRORS_RETURN) rather than abort, so each failed call comes back as a
// Go error naming the MPI function and carrying MPI_Error_string's text.
// MPI is initialised with MPI_THREAD_MULTIPLE, since goroutines move
// between OS threads; collectives must still be called in the same order on
// every rank.
//
// MPI is one per process, so this package keeps its state in package
// variables: an exception to the house rule against global state that the
// library imposes, not one the package chooses.
package mpi
