// Package trainer runs models: the training loop over epochs and batches,
// evaluation and prediction. It runs Gorgonia graphs on tape machines and
// steps the solver; the graphs themselves come from the model, through the
// small Model interface defined here, so trainer never imports models.
//
// Fit trains with one loss and one optimizer. A training step Fit does not
// cover (several losses, several optimizers, alternating updates, as a GAN
// needs) is a Stepper: its TrainStep gets each batch and usually calls
// TrainOnBatch (or a model's TrainOnBatch) on the models it trains, each
// compiled with its own loss and optimizer. FitSteps runs it with
// everything else Fit does: batching and shuffling, epochs, validation
// (through Validator), callbacks, the progress display and the history.
package trainer

import (
	"sync/atomic"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
	"runtime"

	"github.com/profundo/profundo/internal/graphlock"
	"github.com/profundo/profundo/internal/ops"
	"github.com/profundo/profundo/layers"
)

// Mode says what a graph is for.
type Mode int

const (
	// TrainMode graphs compute the loss and its gradients, with dropout masks.
	TrainMode Mode = iota
	// EvalMode graphs compute the loss without dropout or gradients.
	EvalMode
	// PredictMode graphs compute only the outputs.
	PredictMode
	// WeightedTrainMode graphs are TrainMode graphs whose loss weights each
	// sample: sum(w_i * loss_i) / batch, with w fed through Weights.
	WeightedTrainMode
)

// training reports whether graphs of this mode compute gradients.
func (m Mode) training() bool { return m == TrainMode || m == WeightedTrainMode }

func (m Mode) String() string {
	switch m {
	case TrainMode:
		return "train"
	case EvalMode:
		return "evaluate"
	case PredictMode:
		return "predict"
	case WeightedTrainMode:
		return "weighted train"
	case GradientMode:
		return "gradient"
	case InputGradientMode:
		return "input gradient"
	}
	return "unknown"
}

// Model is what the trainer needs of a model: its graph for a mode and a
// batch size. A model builds each graph once and returns the same one after
// (Gorgonia graphs have fixed shapes, so there is one per batch size).
type Model interface {
	Graph(mode Mode, batch int) (*Graph, error)
}

// ShapedModel is a Model that also runs on inputs of other per-sample shapes
// than it was built for (sequences of another length): GraphFor returns its
// graph for inputs of those shapes, one per input. The trainer asks for it
// with the shapes of the data at hand.
type ShapedModel interface {
	GraphFor(mode Mode, batch int, shapes [][]int) (*Graph, error)
}

// graphFor returns m's graph for mode, batch and the per-sample shapes of
// d's inputs.
func graphFor(m Model, mode Mode, batch int, d Data) (*Graph, error) {
	sm, ok := m.(ShapedModel)
	if !ok || len(d.X) == 0 {
		return m.Graph(mode, batch)
	}
	shapes := make([][]int, len(d.X))
	for i, x := range d.X {
		if x == nil || x.Dims() < 1 {
			return m.Graph(mode, batch)
		}
		shapes[i] = []int(x.Shape()[1:])
	}
	return sm.GraphFor(mode, batch, shapes)
}

// Graph is one graph of a model, with the tensors its inputs are bound to.
// The trainer fills Input (and Target, and the Feeds) in place before each
// run.
type Graph struct {
	Mode  Mode
	Batch int
	// Graph is the Gorgonia graph.
	Graph *gorgonia.ExprGraph
	// Inputs are bound to InputValues, [Batch, in_i...], one per model
	// input in order.
	Inputs      []*gorgonia.Node
	InputValues []*tensor.Dense
	// Outputs are the model's outputs, [Batch, out_i...], in order.
	Outputs []*gorgonia.Node
	// Targets are bound to TargetValues, one per output; nil in
	// PredictMode graphs.
	Targets      []*gorgonia.Node
	TargetValues []*tensor.Dense
	// Loss is the scalar mean loss over the batch; nil in PredictMode graphs.
	Loss *gorgonia.Node
	// Weights is bound to WeightsValue, [Batch]: each sample's weight in a
	// WeightedTrainMode graph; nil in other graphs.
	Weights      *gorgonia.Node
	WeightsValue *tensor.Dense
	// Learnables are the trainable weight nodes of a TrainMode graph.
	Learnables gorgonia.Nodes
	// Feeds are filled from the dropout stream before each TrainMode run.
	Feeds []*layers.Feed
	// Updates are applied after each successful TrainMode run (moving
	// statistics, for instance).
	Updates []*layers.Update

	// OutputMasks, one per output, are the masks ([Batch, steps], 0 at a
	// masked step) of sequence outputs that carry one; nil for the others.
	// Metrics leave masked steps out, as in Keras 3.
	OutputMasks []*gorgonia.Node

	// OutputLosses, in a model of several outputs, are each output's loss
	// (before its loss weight), logged under the names the model's
	// OutputLossNames gives; nil otherwise.
	OutputLosses []*gorgonia.Node

	vm     gorgonia.VM
	direct *direct // a prediction graph's ops, run without the tape machine
	grads  []gorgonia.ValueGrad
}

// directPredict runs prediction graphs without Gorgonia's tape machine
// (see direct); tests turn it off to compare.
var directPredict = true

// directTrainNodes is the size, in nodes with their gradients, above which
// a training (or evaluation) graph runs directly (see direct) rather than on Gorgonia's tape
// machine. The tape machine's compilation takes time quadratic in the nodes
// (its code generator, in insertFree, scans every register for each node):
// the first epoch of a stack of 1,000 dense layers took 17 s on it and
// 2.3 s directly, and a stack of 10,000 did not finish compiling in
// minutes. The two give the same losses and weights, bit for bit
// (TestDirectTrainMatchesTapeMachine); small graphs stay on the machine.
// Tests change it to compare the two.
var directTrainNodes = 5000

// directFallbacks counts the prediction graphs handed to the tape machine
// after a direct run failed.
var directFallbacks atomic.Int64

// machine returns the graph's tape machine, compiling it on first use; a
// Train graph gets its symbolic gradients then.
func (g *Graph) machine() (vm gorgonia.VM, err error) {
	if g.vm != nil || g.direct != nil {
		return g.vm, nil
	}
	err = graphlock.Do(g.compile)
	return g.vm, err
}

// compile adds the gradients to a TrainMode graph and makes the machine.
func (g *Graph) compile() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("compile %s graph for batch %d: %v", g.Mode, g.Batch, r)
		}
	}()
	if g.Mode == GradientMode || g.Mode == InputGradientMode {
		return g.compileGradients()
	}
	if g.Mode.training() {
		if g.Loss == nil || len(g.Learnables) == 0 {
			return errors.Errorf("train graph for batch %d has no loss or no trainable weights", g.Batch)
		}
		if _, err := gorgonia.Grad(g.Loss, g.Learnables...); err != nil {
			return errors.Wrapf(err, "gradients of the train graph for batch %d", g.Batch)
		}
		if g.Graph.Nodes().Len() > directTrainNodes {
			if d, derr := newDirect(g.Graph); derr == nil {
				// Each node's value is bound to it, so the loss, the
				// outputs, the updates and, through each weight's
				// derivative node, the gradients read as on the machine.
				d.bind = true
				g.direct = d
				g.grads = gorgonia.NodesToValueGrads(g.Learnables)
				return nil
			}
		}
		g.trainTape()
	} else if g.Mode == EvalMode {
		if g.Graph.Nodes().Len() > directTrainNodes {
			if d, derr := newDirect(g.Graph); derr == nil {
				d.bind = true // the loss and the outputs read from their nodes
				g.direct = d
				return nil
			}
		}
		g.evalTape()
	} else if d, derr := newDirect(g.Graph); directPredict && derr == nil {
		g.direct = d
	} else {
		g.tape()
	}
	return nil
}

// masks returns the output masks there are.
func (g *Graph) masks() []*gorgonia.Node {
	var out []*gorgonia.Node
	for _, m := range g.OutputMasks {
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// trainTape gives a training graph, its gradients added, Gorgonia's tape
// machine.
func (g *Graph) trainTape() {
	g.direct = nil
	watch := append([]*gorgonia.Node(nil), g.Outputs...)
	watch = append(watch, g.OutputLosses...)
	watch = append(watch, g.masks()...)
	for _, u := range g.Updates {
		watch = append(watch, u.Node)
	}
	opts := append(keepOutput(watch...), gorgonia.BindDualValues(g.Learnables...))
	g.vm = gorgonia.NewTapeMachine(g.Graph, opts...)
	g.grads = gorgonia.NodesToValueGrads(g.Learnables)
}

// evalTape gives an evaluation graph Gorgonia's tape machine.
func (g *Graph) evalTape() {
	g.direct = nil
	watch := append(append([]*gorgonia.Node(nil), g.Outputs...), g.OutputLosses...)
	g.vm = gorgonia.NewTapeMachine(g.Graph, keepOutput(append(watch, g.masks()...)...)...)
}

// tape gives a prediction graph Gorgonia's tape machine.
func (g *Graph) tape() {
	g.direct = nil
	if len(g.Outputs) > 1 {
		// One output may feed another, whose run would reuse its memory.
		g.vm = gorgonia.NewTapeMachine(g.Graph, keepOutput(g.Outputs...)...)
	} else {
		g.vm = gorgonia.NewTapeMachine(g.Graph)
	}
}

// keepOutput makes the machine copy the output's value (and those of the
// other nodes given) as it is computed.
// The tape machine reuses the memory of a value once its last reader has
// run, so when the loss reads the output, the output's memory is
// overwritten later in the same run (by the loss's own in-place subtraction,
// for instance); the metrics read the copy.
func keepOutput(out ...*gorgonia.Node) []gorgonia.VMOpt {
	list := make([]interface{}, len(out))
	for i, n := range out {
		list[i] = n
	}
	return []gorgonia.VMOpt{gorgonia.TraceExec(), gorgonia.WithWatchlist(list...)}
}

// run runs the graph once and leaves the outputs readable until the next
// reset.
func (g *Graph) run() (err error) {
	vm, err := g.machine()
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("run %s graph for batch %d: %v", g.Mode, g.Batch, r)
		}
	}()
	if g.direct != nil {
		if err := g.direct.run(); err == nil {
			return nil
		}
		// An op that does not run outside the tape machine: the machine
		// runs the graph from now on.
		directFallbacks.Add(1)
		err = graphlock.Do(func() error {
			switch {
			case g.Mode.training():
				g.trainTape()
			case g.Mode == EvalMode:
				g.evalTape()
			default:
				g.tape()
			}
			return nil
		})
		if err != nil {
			return err
		}
		vm = g.vm
	}
	return vm.RunAll()
}

func (g *Graph) reset() {
	if g.vm != nil {
		g.vm.Reset()
	}
}

// Close releases the graph's machine.
func (g *Graph) Close() error {
	g.direct = nil
	if g.vm == nil {
		return nil
	}
	err := g.vm.Close()
	g.vm = nil
	return err
}

// outputValue returns output i's tensor of the last run.
func (g *Graph) outputValue(i int) (*tensor.Dense, error) {
	outs := g.Outputs
	if i < 0 || i >= len(outs) {
		return nil, errors.Errorf("%s graph for batch %d: no output %d (it has %d)", g.Mode, g.Batch, i, len(outs))
	}
	v := outs[i].Value()
	if g.direct != nil {
		v, _ = g.direct.value(outs[i])
	}
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("%s graph for batch %d: output %d is %T, not a dense tensor", g.Mode, g.Batch, i, outs[i].Value())
	}
	return t, nil
}

// keepBuffersMax is the most memory, in bytes, that the ops of one graph
// keep between calls of Fit, Evaluate and Predict. Profundo's ops keep
// their output and work buffers from batch to batch, so that a step
// allocates almost nothing; when a call returns, the graphs it ran drop
// buffers larger than this, so that a model's many graphs (training,
// evaluation and prediction at several batch sizes) do not all hold their
// peak memory at once, while small graphs (a server's one-row predictions)
// keep theirs.
const keepBuffersMax = 32 << 20

// graphSet is the graphs a call ran.
type graphSet map[*Graph]bool

// release drops the buffers of the graphs whose ops keep more than
// keepBuffersMax bytes.
func (s graphSet) release() {
	released := false
	for g := range s {
		if bufs, n := ops.GraphBuffers(g.Graph); n > keepBuffersMax {
			for _, b := range bufs {
				b.Release()
			}
			released = true
		}
	}
	if released {
		// Collect them now, so that the next graph's buffers reuse their
		// memory instead of adding to it until the collector's next cycle
		// (which lets the heap grow to twice what is live).
		runtime.GC()
	}
}
