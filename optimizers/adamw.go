package optimizers

// AdamW is Adam with decoupled weight decay, as Keras 3 applies it: before
// each Adam update, w -= lr WeightDecay w.
type AdamW struct {
	// LearningRate is the step size; zero means 0.001, Keras's default.
	LearningRate float64
	// Schedule, when set, gives the learning rate of each step from the
	// number of steps taken, and LearningRate and the solver's
	// SetLearningRate are ignored; nil means the constant LearningRate. It
	// is saved as {"kind": "cosine_decay", "config": {...}} (see
	// MarshalSchedule).
	Schedule Schedule `json:"-"`
	// WeightDecay is the decay rate of the weights per unit of learning
	// rate; zero means 0.004, Keras's default. Use Adam for no decay.
	WeightDecay float64
	// Beta1, in [0, 1), is the decay rate of the first moment; zero means
	// 0.9.
	Beta1 float64
	// Beta2, in [0, 1), is the decay rate of the second moment; zero means
	// 0.999.
	Beta2 float64
	// Epsilon keeps the division finite; zero means 1e-7.
	Epsilon float64
	// AMSGrad divides by the largest second moment seen so far instead of
	// the current one, as Keras's amsgrad=True; false means plain Adam.
	AMSGrad bool `json:",omitempty"`
	// ExcludeFromWeightDecay are regular expressions: a weight whose name
	// ("<layer>/<weight>") contains a match of one of them takes no weight
	// decay, as Keras's exclude_from_weight_decay(var_names=...);
	// ["bias"] spares the biases. Empty means every weight decays.
	ExcludeFromWeightDecay []string `json:",omitempty"`
	// Clip bounds the gradients before the update; the zero value clips
	// nothing.
	Clip Clip
	// Options are the moving average of the weights and the gradient
	// accumulation; the zero value turns both off.
	Options
}

var _ Optimizer = AdamW{}

// Name returns "adamw".
func (AdamW) Name() string { return "adamw" }

// NewSolver returns a fresh AdamW solver, or an error naming a bad field.
func (o AdamW) NewSolver() (Solver, error) {
	wd := orDefault(o.WeightDecay, 0.004)
	if err := checkRange("adamw", "WeightDecay", wd, 0, inf, false); err != nil {
		return nil, err
	}
	a := Adam{LearningRate: o.LearningRate, Schedule: o.Schedule, Beta1: o.Beta1, Beta2: o.Beta2, Epsilon: o.Epsilon, AMSGrad: o.AMSGrad, Clip: o.Clip, Options: o.Options}
	s, err := a.solver("adamw", wd, o.ExcludeFromWeightDecay)
	if err != nil {
		return nil, err
	}
	return s, nil
}
