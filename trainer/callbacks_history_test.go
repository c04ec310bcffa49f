package trainer_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/trainer"
)

func TestHistorySaveLoad(t *testing.T) {
	parts := digitsSlices(t, 64, 32)
	m := classifier(t, 8, 0.01, 1)
	hist, err := m.Fit(context.Background(), parts[0].X, parts[0].Y, trainer.FitConfig{Epochs: 3, ValidationData: valData(parts[1]), Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	hist.Values["loss"][1] = math.NaN()
	hist.Values["val_loss"][2] = math.Inf(1)
	hist.Values["accuracy"][0] = math.Inf(-1)
	dir := t.TempDir()
	path := filepath.Join(dir, "history.json")
	if err := hist.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := trainer.LoadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Epochs, hist.Epochs) || !reflect.DeepEqual(got.Names, hist.Names) || len(got.Values) != len(hist.Values) {
		t.Fatalf("loaded %+v, saved %+v", got, hist)
	}
	for k, vs := range hist.Values {
		for i, v := range vs {
			if w := got.Values[k][i]; math.Float64bits(w) != math.Float64bits(v) && !(math.IsNaN(v) && math.IsNaN(w)) {
				t.Errorf("%s[%d] = %v, saved %v", k, i, w, v)
			}
		}
	}
	// The loaded history plots.
	if err := got.SavePNG(filepath.Join(dir, "curves.png")); err != nil {
		t.Error(err)
	}
	// An empty history round-trips too.
	empty := &trainer.History{Values: map[string][]float64{}}
	if err := empty.Save(path); err != nil {
		t.Fatal(err)
	}
	if h, err := trainer.LoadHistory(path); err != nil || len(h.Epochs) != 0 || h.Values == nil {
		t.Errorf("empty history loaded as %+v, %v", h, err)
	}
}

func TestLoadHistoryErrors(t *testing.T) {
	cases := []struct {
		name, file, want string
	}{
		{"not JSON", "loss,val_loss\n", "invalid character"},
		{"another JSON", `{"model": "x"}`, "not a history: want the keys epochs, names and values"},
		{"a name without values", `{"epochs": [0], "names": ["loss", "val_loss"], "values": {"loss": [1]}}`, `name "val_loss" has no values`},
		{"values of other epochs", `{"epochs": [0, 1], "names": ["loss"], "values": {"loss": [1]}}`, `"loss" has 1 values for 2 epochs`},
		{"a bad value", `{"epochs": [0], "names": ["loss"], "values": {"loss": ["lots"]}}`, `value "lots" is not a number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.json")
			if err := os.WriteFile(path, []byte(c.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := trainer.LoadHistory(path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "history: load ") {
				t.Errorf("error %v, want one holding %q", err, c.want)
			}
		})
	}
	if _, err := trainer.LoadHistory(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: error %v", err)
	}
}
