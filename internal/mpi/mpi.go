//go:build mpi

package mpi

/*
#cgo pkg-config: ompi-c
#include <stdint.h>
#include <mpi.h>

// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM...) are macros
// over addresses of globals, which cgo cannot use, so the calls go through
// these wrappers, which take the Go side's type and operation codes.

enum { pfFloat32, pfFloat64, pfInt64, pfByte };
enum { pfSum, pfMax, pfMin };

static MPI_Datatype pf_type(int t) {
	switch (t) {
	case pfFloat32: return MPI_FLOAT;
	case pfFloat64: return MPI_DOUBLE;
	case pfInt64: return MPI_INT64_T;
	default: return MPI_BYTE;
	}
}

static MPI_Op pf_op(int op) {
	switch (op) {
	case pfMax: return MPI_MAX;
	case pfMin: return MPI_MIN;
	default: return MPI_SUM;
	}
}

static int pf_errors_return(void) { return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }
static int pf_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
static int pf_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }
static int pf_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static int pf_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

static int pf_allreduce(void *buf, int count, int type, int op) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, count, pf_type(type), pf_op(op), MPI_COMM_WORLD);
}

static int pf_bcast(void *buf, int count, int type, int root) {
	return MPI_Bcast(buf, count, pf_type(type), root, MPI_COMM_WORLD);
}

static int pf_allgather_int64(int64_t v, int64_t *all) {
	return MPI_Allgather(&v, 1, MPI_INT64_T, all, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

static int pf_allgatherv_bytes(const void *send, int n, void *recv, const int *counts, const int *displs) {
	return MPI_Allgatherv(send, n, MPI_BYTE, recv, counts, displs, MPI_BYTE, MPI_COMM_WORLD);
}
*/
import "C"

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/pkg/errors"
)

// Comm is MPI's world communicator: every rank mpirun started.
type Comm struct {
	rank, size int
}

// The package's MPI state, one per process (see the package comment).
var (
	mu        sync.Mutex        // held by Init and Finalize
	world     *Comm             // set by a successful Init
	initErr   error             // set by a failed Init, which the next returns
	finalized atomic.Bool       // set by Finalize; read before every call
	finalize  chan<- chan error // asks the MPI main thread to finalise
)

// Available reports whether this build has MPI: true with the tag mpi.
func Available() bool { return true }

// Init initialises MPI with MPI_Init_thread(MPI_THREAD_MULTIPLE), sets the
// world communicator to return errors, and returns it. It fails when MPI
// provides a lower thread level, saying which, and finalises MPI first, so
// the process can go on without it. Calling Init again returns the same
// Comm, or the first call's error; after Finalize it is an error, since
// MPI cannot be initialised twice in a process. Started without mpirun,
// the process is a world of one (Open MPI's singleton start).
//
// MPI requires Finalize on the thread that called MPI_Init_thread, and a
// goroutine may change threads, so Init starts a goroutine locked to its
// own thread that makes both calls.
func Init() (*Comm, error) {
	mu.Lock()
	defer mu.Unlock()
	switch {
	case finalized.Load():
		return nil, errors.New("mpi: Init after Finalize: MPI cannot be initialised twice in a process")
	case world != nil:
		return world, nil
	case initErr != nil:
		return nil, initErr
	}
	started := make(chan error)
	req := make(chan chan error)
	c := new(Comm)
	go mainThread(c, started, req)
	if err := <-started; err != nil {
		initErr = err
		return nil, err
	}
	world, finalize = c, req
	return world, nil
}

// mainThread runs on one locked OS thread, MPI's main thread: it
// initialises MPI, reports on started, and, if that went well, waits for a
// request to finalise and replies with MPI_Finalize's error. The thread is
// never unlocked, so it ends with the goroutine.
func mainThread(c *Comm, started chan<- error, finalize <-chan chan error) {
	runtime.LockOSThread()
	err := initialise(c)
	started <- err
	if err != nil {
		return
	}
	done := <-finalize
	done <- check(C.MPI_Finalize(), "MPI_Finalize")
}

func initialise(c *Comm) error {
	var flag C.int
	if err := check(C.MPI_Initialized(&flag), "MPI_Initialized"); err != nil {
		return err
	}
	if flag != 0 {
		return errors.New("mpi: Init: MPI was already initialised outside this package")
	}
	var provided C.int
	if err := check(C.MPI_Init_thread(nil, nil, C.MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread"); err != nil {
		return err
	}
	if provided < C.MPI_THREAD_MULTIPLE {
		err := errors.Errorf("mpi: MPI_Init_thread provided thread level %s, need MPI_THREAD_MULTIPLE", levelName(int(provided)))
		C.MPI_Finalize()
		return err
	}
	var rank, size C.int
	for _, err := range []error{
		check(C.pf_errors_return(), "MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN)"),
		check(C.pf_rank(&rank), "MPI_Comm_rank"),
		check(C.pf_size(&size), "MPI_Comm_size"),
	} {
		if err != nil {
			C.MPI_Finalize()
			return err
		}
	}
	c.rank, c.size = int(rank), int(size)
	return nil
}

// levelName names an MPI thread level.
func levelName(level int) string {
	switch level {
	case C.MPI_THREAD_SINGLE:
		return "MPI_THREAD_SINGLE"
	case C.MPI_THREAD_FUNNELED:
		return "MPI_THREAD_FUNNELED"
	case C.MPI_THREAD_SERIALIZED:
		return "MPI_THREAD_SERIALIZED"
	case C.MPI_THREAD_MULTIPLE:
		return "MPI_THREAD_MULTIPLE"
	}
	return fmt.Sprintf("%d (unknown)", level)
}

// callError is an MPI call's failure: the call, with its arguments where
// they help, and MPI_Error_string's text for the return code.
type callError struct {
	call string
	code int
	text string
}

func (e *callError) Error() string { return "mpi: " + e.call + ": " + e.text }

// check turns an MPI return code into nil or an error naming call, which
// is formatted with args only on failure.
func check(rc C.int, call string, args ...any) error {
	if rc == C.MPI_SUCCESS {
		return nil
	}
	if len(args) > 0 {
		call = fmt.Sprintf(call, args...)
	}
	text := fmt.Sprintf("error code %d", int(rc))
	var buf [C.MPI_MAX_ERROR_STRING]C.char
	var n C.int
	if C.MPI_Error_string(rc, &buf[0], &n) == C.MPI_SUCCESS {
		text = C.GoStringN(&buf[0], n)
	}
	return errors.WithStack(&callError{call: call, code: int(rc), text: text})
}

// usable reports why c cannot make call, if it cannot.
func (c *Comm) usable(call string) error {
	if c == nil {
		return errors.Errorf("mpi: %s on a nil Comm: call Init first", call)
	}
	if finalized.Load() {
		return errors.Errorf("mpi: %s after Finalize", call)
	}
	return nil
}

// Rank is this process's rank in the world, 0 to Size()-1.
func (c *Comm) Rank() int { return c.rank }

// Size is the number of ranks in the world.
func (c *Comm) Size() int { return c.size }

// Element type codes, the C wrappers' pfFloat32...
const (
	typeFloat32 = C.pfFloat32
	typeFloat64 = C.pfFloat64
	typeInt64   = C.pfInt64
	typeByte    = C.pfByte
)

// Reduction codes, the C wrappers' pfSum...
const (
	opSum = C.pfSum
	opMax = C.pfMax
	opMin = C.pfMin
)

var typeNames = map[int]string{typeFloat32: "float32", typeFloat64: "float64", typeInt64: "int64", typeByte: "byte"}
var opNames = map[int]string{opSum: "sum", opMax: "max", opMin: "min"}

type element interface {
	float32 | float64 | int64 | byte
}

func typeOf[T element]() int {
	switch any(*new(T)).(type) {
	case float32:
		return typeFloat32
	case float64:
		return typeFloat64
	case int64:
		return typeInt64
	}
	return typeByte
}

// allreduce reduces buf in place over all ranks with op, in chunks.
func allreduce[T element](c *Comm, buf []T, op int) error {
	if err := c.usable("MPI_Allreduce"); err != nil {
		return err
	}
	t := typeOf[T]()
	return chunks(len(buf), int(unsafe.Sizeof(*new(T))), func(lo, hi int) error {
		return allreduceRaw(unsafe.Pointer(&buf[lo]), hi-lo, t, op, lo, len(buf))
	})
}

// allreduceRaw is one MPI_Allreduce of count values at p, values lo to
// lo+count of n (for the error message).
func allreduceRaw(p unsafe.Pointer, count, t, op, lo, n int) error {
	return check(C.pf_allreduce(p, C.int(count), C.int(t), C.int(op)),
		"MPI_Allreduce(%s %s, values %d to %d of %d)", typeNames[t], opNames[op], lo, lo+count, n)
}

// AllreduceSumFloat32 replaces buf, on every rank, by its sum over all
// ranks. Every rank must pass the same length. A slice of more than 8 MiB
// goes in several MPI_Allreduce calls, each on a consecutive part of at most
// 8 MiB (chunkBytes, which says why), so any length works, past MPI's int
// count limit too.
func (c *Comm) AllreduceSumFloat32(buf []float32) error { return allreduce(c, buf, opSum) }

// AllreduceSumFloat64 is AllreduceSumFloat32 in float64.
func (c *Comm) AllreduceSumFloat64(buf []float64) error { return allreduce(c, buf, opSum) }

// AllreduceSumInt64 is AllreduceSumFloat32 in int64, exact: for counters
// such as samples seen.
func (c *Comm) AllreduceSumInt64(buf []int64) error { return allreduce(c, buf, opSum) }

// AllreduceMaxFloat64 replaces each value of buf, on every rank, by its
// maximum over all ranks; lengths and chunking as for AllreduceSumFloat32.
func (c *Comm) AllreduceMaxFloat64(buf []float64) error { return allreduce(c, buf, opMax) }

// AllreduceMinFloat64 is AllreduceMaxFloat64 with the minimum.
func (c *Comm) AllreduceMinFloat64(buf []float64) error { return allreduce(c, buf, opMin) }

// bcast copies buf from rank root to every other rank, in chunks.
func bcast[T element](c *Comm, buf []T, root int) error {
	if err := c.usable("MPI_Bcast"); err != nil {
		return err
	}
	if root < 0 || root >= c.size {
		return errors.Errorf("mpi: MPI_Bcast: root must be in [0, %d), got %d", c.size, root)
	}
	t := typeOf[T]()
	return chunks(len(buf), int(unsafe.Sizeof(*new(T))), func(lo, hi int) error {
		return check(C.pf_bcast(unsafe.Pointer(&buf[lo]), C.int(hi-lo), C.int(t), C.int(root)),
			"MPI_Bcast(%s from rank %d, values %d to %d of %d)", typeNames[t], root, lo, hi, len(buf))
	})
}

// BcastFloat32 copies buf from rank root into buf on every other rank.
// Every rank must pass the same length and root; large slices are chunked
// as in AllreduceSumFloat32.
func (c *Comm) BcastFloat32(buf []float32, root int) error { return bcast(c, buf, root) }

// BcastFloat64 is BcastFloat32 in float64.
func (c *Comm) BcastFloat64(buf []float64, root int) error { return bcast(c, buf, root) }

// BcastBytes is BcastFloat32 for bytes: a fingerprint, an encoded config.
func (c *Comm) BcastBytes(buf []byte, root int) error { return bcast(c, buf, root) }

// AllgatherBytes returns every rank's b, indexed by rank, on every rank.
// Ranks may pass different lengths; the total must be under 2 GiB. It is
// meant for small values such as fingerprints: two collectives, one for
// the lengths and one for the bytes.
func (c *Comm) AllgatherBytes(b []byte) ([][]byte, error) {
	if err := c.usable("MPI_Allgather"); err != nil {
		return nil, err
	}
	lens := make([]int64, c.size)
	if err := check(C.pf_allgather_int64(C.int64_t(len(b)), (*C.int64_t)(unsafe.Pointer(&lens[0]))),
		"MPI_Allgather(int64 length %d)", len(b)); err != nil {
		return nil, err
	}
	counts, displs := make([]C.int, c.size), make([]C.int, c.size)
	total := int64(0)
	for r, n := range lens {
		if total+n > math.MaxInt32 {
			// Every rank sees the same lengths, so every rank stops here.
			return nil, errors.Errorf("mpi: AllgatherBytes: %d bytes from ranks 0 to %d, more than MPI's count limit %d", total+n, r, math.MaxInt32)
		}
		counts[r], displs[r] = C.int(n), C.int(total)
		total += n
	}
	recv := make([]byte, total)
	if total > 0 {
		if err := check(C.pf_allgatherv_bytes(unsafe.Pointer(unsafe.SliceData(b)), C.int(len(b)),
			unsafe.Pointer(&recv[0]), &counts[0], &displs[0]),
			"MPI_Allgatherv(%d bytes, %d in all)", len(b), total); err != nil {
			return nil, err
		}
	}
	all := make([][]byte, c.size)
	for r := range all {
		lo, hi := int(displs[r]), int(displs[r])+int(counts[r])
		all[r] = recv[lo:hi:hi]
	}
	return all, nil
}

// Mismatched returns the ranks whose b differs from rank 0's, in order, or
// none when every rank passed the same bytes; every rank gets the same
// answer. It checks that all ranks hold the same model, given each rank's
// fingerprint (a SHA-256 of the weights, say).
func (c *Comm) Mismatched(b []byte) ([]int, error) {
	all, err := c.AllgatherBytes(b)
	if err != nil {
		return nil, err
	}
	var differ []int
	for r := 1; r < len(all); r++ {
		if !bytes.Equal(all[r], all[0]) {
			differ = append(differ, r)
		}
	}
	return differ, nil
}

// Barrier returns once every rank has called it.
func (c *Comm) Barrier() error {
	if err := c.usable("MPI_Barrier"); err != nil {
		return err
	}
	return check(C.pf_barrier(), "MPI_Barrier")
}

// Finalize shuts MPI down; every rank must call it before it exits, or
// mpirun counts the job failed. No call may follow it, Init included,
// except Finalize again, which does nothing.
func (c *Comm) Finalize() error {
	mu.Lock()
	defer mu.Unlock()
	if c != nil && finalized.Load() {
		return nil
	}
	if err := c.usable("MPI_Finalize"); err != nil {
		return err
	}
	done := make(chan error)
	finalize <- done
	err := <-done
	finalized.Store(true)
	return err
}

// Abort ends every rank of the job (MPI_Abort on the world), mpirun
// exiting with code. It does not return: without MPI to abort (a nil Comm,
// or after Finalize) it ends this process with os.Exit(code).
func (c *Comm) Abort(code int) {
	if c != nil && !finalized.Load() {
		C.pf_abort(C.int(code))
	}
	os.Exit(code)
}
