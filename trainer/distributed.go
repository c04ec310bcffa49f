package trainer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand"
	"unsafe"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/optimizers"
)

// Communicator is the collective communication that data-parallel training
// needs, one process per rank: package distributed gives one over Open MPI.
// Every rank must make the same calls in the same order.
type Communicator interface {
	Rank() int
	Size() int
	// AllreduceSumFloat32 and AllreduceSumFloat64 replace buf, on every
	// rank, with the element-wise sum of every rank's buf.
	AllreduceSumFloat32(buf []float32) error
	AllreduceSumFloat64(buf []float64) error
	// BcastFloat32 and BcastFloat64 copy root's buf into every rank's.
	BcastFloat32(buf []float32, root int) error
	BcastFloat64(buf []float64, root int) error
}

// FusedPieceBytes is the size of the pieces the fused gradient buffer is
// summed in: an allreduce of one 100 MB buffer measured about 5x slower
// than the same bytes in 8 MB pieces.
var FusedPieceBytes = 8 << 20

// dataParallel is Fit's state when it trains over a Communicator: every
// rank runs the same model on its own shard of each global batch, the
// gradients are averaged (one fused buffer, summed in pieces) between the
// backward run and the solver step, so every rank takes the same step and
// the weights stay identical.
type dataParallel struct {
	comm      Communicator
	rank      int
	size      int
	weights   []*layers.Weight
	fused32   []float32
	fused64   []float64
	steps     int
	checkEach int // steps between the checks that the ranks' weights agree
}

// newDataParallel checks that every rank holds the same model (a
// fingerprint of the weights' names, shapes and dtypes) and copies rank 0's
// weights to every rank.
func newDataParallel(comm Communicator, m Model, batch int) (*dataParallel, error) {
	w, ok := m.(Weighted)
	if !ok {
		return nil, errors.Errorf("data-parallel fit: the model (%T) has no Weights method", m)
	}
	dp := &dataParallel{comm: comm, rank: comm.Rank(), size: comm.Size(), weights: w.Weights(), checkEach: 100}
	if dp.size < 1 || dp.rank < 0 || dp.rank >= dp.size {
		return nil, errors.Errorf("data-parallel fit: rank %d of %d", dp.rank, dp.size)
	}
	if dp.size > batch {
		return nil, errors.Errorf("data-parallel fit: %d ranks for a global batch of %d: every rank needs at least one sample; use at most %d ranks or a larger batch", dp.size, batch, batch)
	}
	h := sha256.New()
	for _, w := range dp.weights {
		fmt.Fprintf(h, "%s %v %v %v;", w.Name, w.Value.Shape(), w.Value.Dtype(), w.Trainable)
	}
	if err := dp.agree(h.Sum(nil), "the model differs from rank 0's (names, shapes or dtypes of its weights): were the ranks built from different versions or flags?"); err != nil {
		return nil, err
	}
	for _, w := range dp.weights {
		if err := dp.bcast(w.Value); err != nil {
			return nil, errors.Wrapf(err, "data-parallel fit: broadcast %q from rank 0", w.Name)
		}
	}
	return dp, nil
}

// agree checks that every rank has rank 0's sum; it fails on every rank
// alike when one differs.
func (dp *dataParallel) agree(sum []byte, what string) error {
	// 4 bytes per float64: exact.
	mine := make([]float64, len(sum)/4)
	for i := range mine {
		mine[i] = float64(binary.LittleEndian.Uint32(sum[4*i:]))
	}
	root := append([]float64(nil), mine...)
	if err := dp.comm.BcastFloat64(root, 0); err != nil {
		return errors.Wrap(err, "data-parallel fit: broadcast a fingerprint")
	}
	differ := []float64{0}
	for i := range mine {
		if mine[i] != root[i] {
			differ[0] = 1
		}
	}
	flags := make([]float64, dp.size)
	flags[dp.rank] = differ[0]
	if err := dp.comm.AllreduceSumFloat64(flags); err != nil {
		return errors.Wrap(err, "data-parallel fit: compare fingerprints")
	}
	for r, f := range flags {
		if f != 0 {
			return errors.Errorf("data-parallel fit: rank %d: %s", r, what)
		}
	}
	return nil
}

func (dp *dataParallel) bcast(t *tensor.Dense) error {
	switch d := t.Data().(type) {
	case []float32:
		return dp.comm.BcastFloat32(d, 0)
	case []float64:
		return dp.comm.BcastFloat64(d, 0)
	}
	return errors.Errorf("dtype %v", t.Dtype())
}

// shard returns this rank's part of a global batch's rows and the batch's
// size: contiguous parts, the first len(rows) % size ranks one row longer.
func (dp *dataParallel) shard(rows []int) []int {
	n := len(rows)
	from := dp.rank * n / dp.size
	to := (dp.rank + 1) * n / dp.size
	return rows[from:to]
}

// average replaces each learnable's gradient, the mean over this rank's
// local rows, by the mean over the global batch of global rows: every
// rank's gradient weighted by local/global, summed over the ranks in one
// fused buffer, piece by piece.
func (dp *dataParallel) average(g *Graph, local, global int) error {
	if len(g.Learnables) == 0 {
		return nil
	}
	scale := float64(local) / float64(global)
	if g.Learnables[0].Dtype() == tensor.Float32 {
		return fuse(&dp.fused32, g.Learnables, float32(scale), dp.comm.AllreduceSumFloat32)
	}
	return fuse(&dp.fused64, g.Learnables, scale, dp.comm.AllreduceSumFloat64)
}

// fuse copies the nodes' gradients, times scale, into one buffer (kept in
// *buf for the next step), sums it over the ranks in pieces of
// FusedPieceBytes, and copies the sums back.
func fuse[T float32 | float64](buf *[]T, nodes gorgonia.Nodes, scale T, allreduce func([]T) error) error {
	grads := make([][]T, len(nodes))
	total := 0
	for i, n := range nodes {
		gr, err := gradOf(n)
		if err != nil {
			return err
		}
		d, ok := gr.Data().([]T)
		if !ok {
			return errors.Errorf("gradient of %q is %v, the model's other gradients are not", n.Name(), gr.Dtype())
		}
		grads[i] = d
		total += len(d)
	}
	if cap(*buf) < total {
		*buf = make([]T, total)
	}
	fused := (*buf)[:total]
	off := 0
	for _, d := range grads {
		for i, v := range d {
			fused[off+i] = v * scale
		}
		off += len(d)
	}
	var zero T
	piece := max(1, FusedPieceBytes/int(unsafe.Sizeof(zero)))
	for at := 0; at < total; at += piece {
		if err := allreduce(fused[at:min(at+piece, total)]); err != nil {
			return errors.Wrap(err, "allreduce the gradients")
		}
	}
	off = 0
	for _, d := range grads {
		copy(d, fused[off:off+len(d)])
		off += len(d)
	}
	return nil
}

func gradOf(n *gorgonia.Node) (*tensor.Dense, error) {
	v, err := n.Grad()
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %q", n.Name())
	}
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("gradient of %q is %T, not a dense tensor", n.Name(), v)
	}
	return t, nil
}

// reduceLogs turns every rank's logs, each a mean over its n samples, into
// the means over every rank's samples, the same on every rank. For
// metrics that are means over samples (loss, accuracy, errors) that is the
// exact global value; for others (AUC, macro F1) it is the mean of the
// ranks' values weighted by their samples.
func (dp *dataParallel) reduceLogs(logs Logs, names []string, n int) (Logs, error) {
	buf := make([]float64, len(names)+1)
	for i, k := range names {
		buf[i] = logs[k] * float64(n)
	}
	buf[len(names)] = float64(n)
	if err := dp.comm.AllreduceSumFloat64(buf); err != nil {
		return nil, errors.Wrap(err, "allreduce the logs")
	}
	out := Logs{}
	total := buf[len(names)]
	for i, k := range names {
		out[k] = buf[i] / total
	}
	return out, nil
}

// averageState averages the weights that are not trained (moving
// statistics) over the ranks: each rank updates them from its own shards.
func (dp *dataParallel) averageState() error {
	for _, w := range dp.weights {
		if w.Trainable {
			continue
		}
		switch d := w.Value.Data().(type) {
		case []float32:
			if err := dp.comm.AllreduceSumFloat32(d); err != nil {
				return err
			}
			for i := range d {
				d[i] /= float32(dp.size)
			}
		case []float64:
			if err := dp.comm.AllreduceSumFloat64(d); err != nil {
				return err
			}
			for i := range d {
				d[i] /= float64(dp.size)
			}
		}
	}
	return nil
}

// checkWeights compares a hash of every rank's weights with rank 0's.
func (dp *dataParallel) checkWeights(when string) error {
	h := sha256.New()
	for _, w := range dp.weights {
		h.Write(w.Value.Header.Raw)
	}
	return dp.agree(h.Sum(nil), "its weights differ from rank 0's "+when)
}

// fitDataParallel is Fit over a Communicator; see FitConfig.Comm.
func fitDataParallel(ctx context.Context, m Model, solver optimizers.Solver, mets []metrics.Metric, data Data, cfg FitConfig, hist *History) (*History, error) {
	batch := cfg.BatchSize
	if batch == 0 {
		batch = 32
	}
	dp, err := newDataParallel(cfg.Comm, m, batch)
	if err != nil {
		return hist, err
	}
	sc := newScores(m, mets)
	used := graphSet{}
	defer used.release()
	seen := 0 // samples this rank trained this epoch
	r := &loopRun{
		names: sc.names(),
		begin: func() { sc.reset(); seen = 0 },
		step: func(epoch, b int, d Data, rows []int, stream func() *rand.Rand) error {
			local := dp.shard(rows)
			rankStream := func() *rand.Rand {
				// Each rank's dropout masks differ, as its samples do.
				return rand.New(rand.NewSource(stream().Int63() + int64(dp.rank)))
			}
			reduce := func(g *Graph) error { return dp.average(g, len(local), len(rows)) }
			if _, err := trainStepWith(m, solver, sc, d, local, rankStream, used, reduce); err != nil {
				return err
			}
			seen += len(local)
			dp.steps++
			if dp.checkEach > 0 && dp.steps%dp.checkEach == 0 {
				return dp.checkWeights(fmt.Sprintf("after step %d", dp.steps))
			}
			return nil
		},
		logs: func() Logs { return sc.logs("") },
		endEpoch: func(logs Logs) (Logs, error) {
			if err := dp.averageState(); err != nil {
				return nil, errors.Wrap(err, "average the moving statistics")
			}
			if err := dp.checkWeights("at the end of the epoch"); err != nil {
				return nil, err
			}
			return dp.reduceLogs(logs, sc.names(), seen)
		},
		validate: func(ctx context.Context, v Data) (Logs, error) {
			n := v.Len()
			from, to := dp.rank*n/dp.size, (dp.rank+1)*n/dp.size
			var logs Logs
			if to > from {
				var err error
				if logs, err = Evaluate(ctx, m, mets, v.rows(from, to), cfg.BatchSize); err != nil {
					return nil, err
				}
			}
			return dp.reduceLogs(logs, sc.names(), to-from)
		},
		model:  m,
		solver: solver,
		rank:   dp.rank,
	}
	return runLoop(ctx, r, data, cfg, hist)
}
