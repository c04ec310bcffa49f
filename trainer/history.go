package trainer

import (
	"encoding/json"
	"os"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/internal/atomicfile"
	"github.com/profundo/profundo/internal/jsonfloat"
	"github.com/profundo/profundo/metrics"
)

// History holds every epoch's logs: History.Values["val_accuracy"][i] is the
// validation accuracy after epoch Epochs[i].
type History struct {
	// Epochs lists the epochs run, counting from 0.
	Epochs []int
	// Names lists the keys of Values in display order.
	Names []string
	// Values holds one value per epoch for each name.
	Values map[string][]float64
}

func newHistory() *History { return &History{Values: map[string][]float64{}} }

func (h *History) add(epoch int, names []string, logs Logs) {
	h.Epochs = append(h.Epochs, epoch)
	if len(h.Names) == 0 {
		h.Names = append([]string(nil), names...)
	}
	for _, n := range names {
		h.Values[n] = append(h.Values[n], logs[n])
	}
}

// Last returns the value of name after the last epoch run, and false if
// there is none.
func (h *History) Last(name string) (float64, bool) {
	v := h.Values[name]
	if len(v) == 0 {
		return 0, false
	}
	return v[len(v)-1], true
}

// SavePNG plots the history as training curves: one panel per metric, the
// training and validation values per epoch. The write is atomic.
func (h *History) SavePNG(path string) error {
	return metrics.SaveCurvesPNG(path, h.Epochs, h.Values, h.Names)
}

// historyFile is the JSON form of a History. Values that JSON cannot hold
// (NaN, ±Inf) are written as the strings "NaN", "Infinity", "-Infinity".
type historyFile struct {
	Epochs []int                     `json:"epochs"`
	Names  []string                  `json:"names"`
	Values map[string][]historyValue `json:"values"`
}

// historyValue is a float64 that round-trips through JSON, NaN and infinities
// included.
type historyValue = jsonfloat.Float

// Save writes the history to path as JSON: {"epochs": [...], "names":
// [...], "values": {"loss": [...], ...}}, NaN and infinite values as the
// strings "NaN", "Infinity" and "-Infinity". The write is atomic.
// LoadHistory reads it back.
func (h *History) Save(path string) error {
	f := historyFile{Epochs: h.Epochs, Names: h.Names, Values: map[string][]historyValue{}}
	if f.Epochs == nil {
		f.Epochs = []int{}
	}
	if f.Names == nil {
		f.Names = []string{}
	}
	for k, vs := range h.Values {
		hv := make([]historyValue, len(vs))
		for i, v := range vs {
			hv[i] = historyValue(v)
		}
		f.Values[k] = hv
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return errors.Wrapf(err, "history: save %s", path)
	}
	return errors.Wrap(atomicfile.WriteFile(path, append(data, '\n'), 0o644), "history: save")
}

// LoadHistory reads a history that History.Save wrote. A file that is not
// one, or whose values do not have one per epoch for every name, is an
// error that says what is wrong.
func LoadHistory(path string) (*History, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrap(err, "history: load")
	}
	var f historyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, errors.Wrapf(err, "history: load %s", path)
	}
	if f.Epochs == nil || f.Names == nil || f.Values == nil {
		return nil, errors.Errorf("history: load %s: not a history: want the keys epochs, names and values", path)
	}
	h := newHistory()
	h.Epochs, h.Names = f.Epochs, f.Names
	for _, n := range f.Names {
		if _, ok := f.Values[n]; !ok {
			return nil, errors.Errorf("history: load %s: name %q has no values", path, n)
		}
	}
	for k, vs := range f.Values {
		if len(vs) != len(f.Epochs) {
			return nil, errors.Errorf("history: load %s: %q has %d values for %d epochs", path, k, len(vs), len(f.Epochs))
		}
		v := make([]float64, len(vs))
		for i, x := range vs {
			v[i] = float64(x)
		}
		h.Values[k] = v
	}
	return h, nil
}
