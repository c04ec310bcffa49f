package optimizers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// State is a solver's state between steps: what a checkpoint keeps so that a
// resumed run takes the same steps as an uninterrupted one.
type State struct {
	// Steps is the number of steps taken.
	Steps int
	// LearningRate is the rate of the next step.
	LearningRate float64
	// Slots[i] holds parameter i's per-element state (moments, velocities,
	// accumulators), one tensor per slot, shaped like the parameter. It is
	// nil before the first step.
	Slots [][]*tensor.Dense
}

// Stateful is implemented by this package's solvers.
type Stateful interface {
	State() State
	SetState(s State) error
}

// State returns a copy of the solver's state.
func (c *core) State() State {
	s := State{Steps: c.steps, LearningRate: c.LearningRate()}
	for _, p := range c.params {
		var slots []*tensor.Dense
		for k := 0; k < c.slots; k++ {
			var t *tensor.Dense
			if p.dtype == tensor.Float32 {
				t = tensor.New(tensor.WithShape(p.shape.Clone()...), tensor.WithBacking(append([]float32(nil), p.state32[k]...)))
			} else {
				t = tensor.New(tensor.WithShape(p.shape.Clone()...), tensor.WithBacking(append([]float64(nil), p.state64[k]...)))
			}
			slots = append(slots, t)
		}
		s.Slots = append(s.Slots, slots)
	}
	return s
}

// SetState restores a state State returned, before the next step. The next
// step's parameters must have the shapes and dtypes of the saved slots.
// With a schedule, Steps places the solver on it and LearningRate, which
// may then be 0 (a warm-up's first step), is not used.
func (c *core) SetState(s State) error {
	badRate := !(s.LearningRate > 0)
	if c.sched != nil {
		badRate = s.LearningRate < 0 || math.IsNaN(s.LearningRate)
	}
	if s.Steps < 0 || badRate {
		return errors.Errorf("%s: state has %d steps and learning rate %v", c.name, s.Steps, s.LearningRate)
	}
	if c.slots == 0 {
		c.params, c.steps, c.lr = nil, s.Steps, s.LearningRate
		return nil
	}
	var params []param
	for i, slots := range s.Slots {
		if len(slots) != c.slots {
			return errors.Errorf("%s: parameter %d has %d state slots, want %d", c.name, i, len(slots), c.slots)
		}
		p := param{shape: slots[0].Shape().Clone(), dtype: slots[0].Dtype()}
		for k, t := range slots {
			if !sameShape(t.Shape(), p.shape) || t.Dtype() != p.dtype {
				return errors.Errorf("%s: parameter %d slot %d is %v %v, slot 0 is %v %v", c.name, i, k, t.Dtype(), t.Shape(), p.dtype, p.shape)
			}
			switch d := t.Data().(type) {
			case []float32:
				p.state32 = append(p.state32, append([]float32(nil), d...))
				p.size = len(d)
			case []float64:
				p.state64 = append(p.state64, append([]float64(nil), d...))
				p.size = len(d)
			default:
				return errors.Errorf("%s: parameter %d slot %d holds %v values, want float32 or float64", c.name, i, k, t.Dtype())
			}
		}
		params = append(params, p)
	}
	if s.Steps > 0 && len(params) == 0 && c.slots > 0 {
		return errors.Errorf("%s: state has %d steps but no slots", c.name, s.Steps)
	}
	c.params, c.steps, c.lr = params, s.Steps, s.LearningRate
	return nil
}
