package mpi

// methods lists what a Comm does; both builds must give it all of them with
// these signatures, which the assertion below checks in whichever build is
// compiled, so that callers need no build tags.
type methods interface {
	Rank() int
	Size() int
	AllreduceSumFloat32(buf []float32) error
	AllreduceSumFloat64(buf []float64) error
	AllreduceSumInt64(buf []int64) error
	AllreduceMaxFloat64(buf []float64) error
	AllreduceMinFloat64(buf []float64) error
	BcastFloat32(buf []float32, root int) error
	BcastFloat64(buf []float64, root int) error
	BcastBytes(buf []byte, root int) error
	AllgatherBytes(b []byte) ([][]byte, error)
	Mismatched(b []byte) ([]int, error)
	Barrier() error
	Finalize() error
	Abort(code int)
}

var (
	_ methods               = (*Comm)(nil)
	_ func() (*Comm, error) = Init
	_ func() bool           = Available
)
