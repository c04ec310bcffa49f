package trainer

import "github.com/profundo/profundo/metrics"

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
