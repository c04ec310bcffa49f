package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// weightOpts points at the initializer, regularizer and constraint fields
// a layer with a kernel and a bias has (Dense, Conv2D, Conv1D), so that
// building them, their penalties and their JSON are written once.
type weightOpts struct {
	KernelInitializer, BiasInitializer                      *Initializer
	KernelRegularizer, BiasRegularizer, ActivityRegularizer *Regularizer
	KernelConstraint, BiasConstraint                        *Constraint
}

// validate checks the regularizers' configurations.
func (o weightOpts) validate() error {
	for _, r := range []struct {
		what string
		reg  Regularizer
	}{{"kernel regularizer", *o.KernelRegularizer}, {"bias regularizer", *o.BiasRegularizer}, {"activity regularizer", *o.ActivityRegularizer}} {
		if err := validateRegularizer(r.reg); err != nil {
			return errors.Wrap(err, r.what)
		}
	}
	return nil
}

// newWeights creates the kernel of shape kshape (GlorotUniform unless
// told otherwise) and, unless noBias, the bias of units values (Zeros
// unless told otherwise), with their constraints checked and attached.
func (o weightOpts) newWeights(b *Builder, kshape []int, units int, noBias bool) (kernel, bias *Weight, err error) {
	return o.newNamedWeights(b, "kernel", kshape, units, noBias)
}

// newNamedWeights is newWeights with a kernel named kname.
func (o weightOpts) newNamedWeights(b *Builder, kname string, kshape []int, units int, noBias bool) (kernel, bias *Weight, err error) {
	kinit := *o.KernelInitializer
	if kinit == nil {
		kinit = GlorotUniform{}
	}
	if kernel, err = b.NewWeight(kname, kshape, kinit); err != nil {
		return nil, nil, err
	}
	if err := checkConstraint(*o.KernelConstraint, kernel); err != nil {
		return nil, nil, errors.Wrap(err, "kernel constraint")
	}
	kernel.Constraint = *o.KernelConstraint
	if noBias {
		return kernel, nil, nil
	}
	binit := *o.BiasInitializer
	if binit == nil {
		binit = Zeros{}
	}
	if bias, err = b.NewWeight("bias", []int{units}, binit); err != nil {
		return nil, nil, err
	}
	if err := checkConstraint(*o.BiasConstraint, bias); err != nil {
		return nil, nil, errors.Wrap(err, "bias constraint")
	}
	bias.Constraint = *o.BiasConstraint
	return kernel, bias, nil
}

// addPenalties adds the regularizers' penalties on the kernel, the bias
// (when not nil) and the output to c's losses.
func (o weightOpts) addPenalties(c *Call, kernel, bias, out *gorgonia.Node) error {
	if err := addPenalty(c, *o.KernelRegularizer, kernel, 1, "kernel regularizer"); err != nil {
		return err
	}
	if bias != nil {
		if err := addPenalty(c, *o.BiasRegularizer, bias, 1, "bias regularizer"); err != nil {
			return err
		}
	}
	return addPenalty(c, *o.ActivityRegularizer, out, c.Batch, "activity regularizer")
}

// weightOptsJSON is how weightOpts are saved, embedded in a layer's JSON.
type weightOptsJSON struct {
	KernelInitializer   *InitializerSpec `json:"kernel_initializer,omitempty"`
	BiasInitializer     *InitializerSpec `json:"bias_initializer,omitempty"`
	KernelRegularizer   *RegularizerSpec `json:"kernel_regularizer,omitempty"`
	BiasRegularizer     *RegularizerSpec `json:"bias_regularizer,omitempty"`
	ActivityRegularizer *RegularizerSpec `json:"activity_regularizer,omitempty"`
	KernelConstraint    *ConstraintSpec  `json:"kernel_constraint,omitempty"`
	BiasConstraint      *ConstraintSpec  `json:"bias_constraint,omitempty"`
}

// toJSON returns the specs of the fields o points at.
func (o weightOpts) toJSON() (j weightOptsJSON, err error) {
	if j.KernelInitializer, err = MarshalInitializer(*o.KernelInitializer); err != nil {
		return j, errors.Wrap(err, "kernel initializer")
	}
	if j.BiasInitializer, err = MarshalInitializer(*o.BiasInitializer); err != nil {
		return j, errors.Wrap(err, "bias initializer")
	}
	if j.KernelRegularizer, err = MarshalRegularizer(*o.KernelRegularizer); err != nil {
		return j, errors.Wrap(err, "kernel regularizer")
	}
	if j.BiasRegularizer, err = MarshalRegularizer(*o.BiasRegularizer); err != nil {
		return j, errors.Wrap(err, "bias regularizer")
	}
	if j.ActivityRegularizer, err = MarshalRegularizer(*o.ActivityRegularizer); err != nil {
		return j, errors.Wrap(err, "activity regularizer")
	}
	if j.KernelConstraint, err = MarshalConstraint(*o.KernelConstraint); err != nil {
		return j, errors.Wrap(err, "kernel constraint")
	}
	if j.BiasConstraint, err = MarshalConstraint(*o.BiasConstraint); err != nil {
		return j, errors.Wrap(err, "bias constraint")
	}
	return j, nil
}

// fromJSON sets the fields o points at from their specs.
func (o weightOpts) fromJSON(j weightOptsJSON) (err error) {
	if *o.KernelInitializer, err = UnmarshalInitializer(j.KernelInitializer); err != nil {
		return errors.Wrap(err, "kernel_initializer")
	}
	if *o.BiasInitializer, err = UnmarshalInitializer(j.BiasInitializer); err != nil {
		return errors.Wrap(err, "bias_initializer")
	}
	if *o.KernelRegularizer, err = UnmarshalRegularizer(j.KernelRegularizer); err != nil {
		return errors.Wrap(err, "kernel_regularizer")
	}
	if *o.BiasRegularizer, err = UnmarshalRegularizer(j.BiasRegularizer); err != nil {
		return errors.Wrap(err, "bias_regularizer")
	}
	if *o.ActivityRegularizer, err = UnmarshalRegularizer(j.ActivityRegularizer); err != nil {
		return errors.Wrap(err, "activity_regularizer")
	}
	if *o.KernelConstraint, err = UnmarshalConstraint(j.KernelConstraint); err != nil {
		return errors.Wrap(err, "kernel_constraint")
	}
	if *o.BiasConstraint, err = UnmarshalConstraint(j.BiasConstraint); err != nil {
		return errors.Wrap(err, "bias_constraint")
	}
	return nil
}
