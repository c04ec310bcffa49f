package metrics

// Mean is a running weighted mean: the trainer adds each batch's loss with the
// batch size as its weight, and Result is the mean loss over the epoch. Its
// zero value is empty and ready to use. Mean is not a Metric: it takes
// numbers, not tensors.
type Mean struct {
	sum    float64
	weight float64
}

// Add adds value with the given weight (the number of samples it stands for).
// A weight of zero or less, or a NaN weight, adds nothing.
func (m *Mean) Add(value, weight float64) {
	if !(weight > 0) {
		return
	}
	m.sum += value * weight
	m.weight += weight
}

// Result is the weighted mean of the values added since the last Reset, or 0
// when nothing was added.
func (m *Mean) Result() float64 {
	if m.weight == 0 {
		return 0
	}
	return m.sum / m.weight
}

// Weight is the total weight added since the last Reset.
func (m *Mean) Weight() float64 { return m.weight }

// Reset forgets every value.
func (m *Mean) Reset() { *m = Mean{} }
