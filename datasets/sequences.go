package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// maxExactFloat32 is the largest magnitude up to which float32 holds every
// integer (2^24).
const maxExactFloat32 = 1 << 24

// PadSequences makes sequences of ids (words, tokens) the same length, as
// Keras's pad_sequences: n sequences -> float32 [n, maxLen], ready for an
// Embedding layer.
//
// maxLen is the length of every row; 0 means the length of the longest
// sequence. Shorter sequences are filled with value, before them with
// padding "pre" (or "", Keras's default) or after them with "post". Longer
// ones lose values from the start with truncating "pre" (or "") or from the
// end with "post".
//
// It is an error to give no sequences, a negative maxLen, maxLen 0 when
// every sequence is empty, an unknown padding or truncating, or an id (or
// value) that float32 does not hold exactly (beyond ±2^24).
func PadSequences(seqs [][]int, maxLen int, padding, truncating string, value int) (*tensor.Dense, error) {
	if len(seqs) == 0 {
		return nil, errors.New("pad sequences: no sequences")
	}
	if maxLen < 0 {
		return nil, errors.Errorf("pad sequences: maxLen must be >= 0, got %d", maxLen)
	}
	padPre, err := preOrPost("padding", padding)
	if err != nil {
		return nil, err
	}
	truncPre, err := preOrPost("truncating", truncating)
	if err != nil {
		return nil, err
	}
	if !exactFloat32(value) {
		return nil, errors.Errorf("pad sequences: value %d is beyond the integers float32 holds exactly (±%d)", value, maxExactFloat32)
	}
	if maxLen == 0 {
		for _, s := range seqs {
			maxLen = max(maxLen, len(s))
		}
		if maxLen == 0 {
			return nil, errors.Errorf("pad sequences: all %d sequences are empty; give maxLen", len(seqs))
		}
	}
	out := make([]float32, len(seqs)*maxLen)
	for i, s := range seqs {
		for j, v := range s {
			if !exactFloat32(v) {
				return nil, errors.Errorf("pad sequences: sequence %d, position %d: id %d is beyond the integers float32 holds exactly (±%d)", i, j, v, maxExactFloat32)
			}
		}
		if len(s) > maxLen {
			if truncPre {
				s = s[len(s)-maxLen:]
			} else {
				s = s[:maxLen]
			}
		}
		row := out[i*maxLen : (i+1)*maxLen]
		start := 0
		if padPre {
			start = maxLen - len(s)
		}
		for j := range row {
			row[j] = float32(value)
		}
		for j, v := range s {
			row[start+j] = float32(v)
		}
	}
	return tensor.New(tensor.WithShape(len(seqs), maxLen), tensor.WithBacking(out)), nil
}

// preOrPost reads a padding or truncating argument: true for "pre" or "".
func preOrPost(what, s string) (bool, error) {
	switch s {
	case "", "pre":
		return true, nil
	case "post":
		return false, nil
	}
	return false, errors.Errorf("pad sequences: %s must be \"pre\" or \"post\", got %q", what, s)
}

// exactFloat32 reports whether float32 holds v exactly (as it does every
// integer in [-2^24, 2^24]).
func exactFloat32(v int) bool {
	return v >= -maxExactFloat32 && v <= maxExactFloat32
}

// Windows cuts a time series into samples for next-step forecasting: the
// window values before each point predict the horizon values from it on.
// With n = len(series) - window - horizon + 1 samples, sample i is
//
//	x[i] = series[i : i+window]                     as float64 [window, 1]
//	y[i] = series[i+window : i+window+horizon]      as float64 [horizon]
//
// so x is [n, window, 1] (one feature per step, as recurrent and Conv1D
// layers take) and y is [n, horizon] ([n, 1] for horizon 1).
//
// It is an error for window or horizon to be <= 0, for window + horizon to
// be longer than the series, or for the series to hold a value that is NaN
// or infinite.
func Windows(series []float64, window, horizon int) (x, y *tensor.Dense, err error) {
	if window <= 0 {
		return nil, nil, errors.Errorf("windows: window must be > 0, got %d", window)
	}
	if horizon <= 0 {
		return nil, nil, errors.Errorf("windows: horizon must be > 0, got %d", horizon)
	}
	if window > len(series) || horizon > len(series)-window {
		return nil, nil, errors.Errorf("windows: window %d plus horizon %d is longer than the series of %d values", window, horizon, len(series))
	}
	for i, v := range series {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, errors.Errorf("windows: series value %d is %v", i, v)
		}
	}
	n := len(series) - window - horizon + 1
	xs := make([]float64, 0, n*window)
	ys := make([]float64, 0, n*horizon)
	for i := 0; i < n; i++ {
		xs = append(xs, series[i:i+window]...)
		ys = append(ys, series[i+window:i+window+horizon]...)
	}
	x = tensor.New(tensor.WithShape(n, window, 1), tensor.WithBacking(xs))
	y = tensor.New(tensor.WithShape(n, horizon), tensor.WithBacking(ys))
	return x, y, nil
}
