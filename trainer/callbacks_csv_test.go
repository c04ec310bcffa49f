package trainer_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/profundo/profundo/trainer"
)

// logEpochs tells l of TrainBegin and of an EpochEnd for each epoch from
// first, with loss 1/(epoch+1) and val_loss 2/(epoch+1).
func logEpochs(l *trainer.CSVLogger, names []string, first, epochs int) error {
	if err := l.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names}); err != nil {
		return err
	}
	for epoch := first; epoch < epochs; epoch++ {
		logs := trainer.Logs{"loss": 1 / float64(epoch+1), "val_loss": 2 / float64(epoch+1)}
		if err := l.On(&trainer.Event{Kind: trainer.EpochEnd, Epoch: epoch, Names: names, Logs: logs}); err != nil {
			return err
		}
	}
	return nil
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A real Fit logs one row per epoch with the history's values, exactly; a
// resumed run appends to the same file.
func TestCSVLoggerFitAndResume(t *testing.T) {
	parts := digitsSlices(t, 64, 64)
	path := filepath.Join(t.TempDir(), "log.csv")
	m := classifier(t, 16, 0.01, 1)
	cfg := trainer.FitConfig{Epochs: 3, BatchSize: 16, ValidationData: valData(parts[1]), Silent: true,
		Callbacks: []trainer.Callback{&trainer.CSVLogger{Path: path}}}
	h1, err := m.Fit(context.Background(), parts[0].X, parts[0].Y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Epochs, cfg.InitialEpoch = 5, 3
	cfg.Callbacks = []trainer.Callback{&trainer.CSVLogger{Path: path, Append: true}}
	h2, err := m.Fit(context.Background(), parts[0].X, parts[0].Y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := "epoch,loss,accuracy,val_loss,val_accuracy"; strings.Join(rows[0], ",") != want {
		t.Fatalf("header %q, want %q", rows[0], want)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows, want a header and 5 epochs:\n%v", len(rows), rows)
	}
	for i, row := range rows[1:] {
		h, at := h1, i
		if i >= 3 {
			h, at = h2, i-3
		}
		if row[0] != strconv.Itoa(i) {
			t.Errorf("row %d is epoch %q, want %d", i+1, row[0], i)
		}
		for j, name := range rows[0][1:] {
			v, err := strconv.ParseFloat(row[j+1], 64)
			if err != nil || v != h.Values[name][at] {
				t.Errorf("epoch %d %s: %q, want %v", i, name, row[j+1], h.Values[name][at])
			}
		}
	}
}

func TestCSVLogger(t *testing.T) {
	names := []string{"loss", "val_loss"}
	const header = "epoch,loss,val_loss\n"
	const rows01 = "0,1,2\n1,0.5,1\n"
	cases := []struct {
		name          string
		existing      string // "" means no file
		cb            trainer.CSVLogger
		first, epochs int
		want          string
		err           string
	}{
		{"a new file", "", trainer.CSVLogger{}, 0, 2, header + rows01, ""},
		{"overwrites without append", header + "7,7,7\n", trainer.CSVLogger{}, 0, 2, header + rows01, ""},
		{"append to a missing file", "", trainer.CSVLogger{Append: true}, 0, 2, header + rows01, ""},
		{"append to an empty file", "-", trainer.CSVLogger{Append: true}, 0, 2, header + rows01, ""},
		{"append resumes", header + "0,1,2\n", trainer.CSVLogger{Append: true}, 1, 3, header + rows01 + "2,0.3333333333333333,0.6666666666666666\n", ""},
		{"append drops a row cut short", header + "0,1,2\n1,0.5", trainer.CSVLogger{Append: true}, 1, 2, header + rows01, ""},
		{"append after a header without newline", strings.TrimSpace(header), trainer.CSVLogger{Append: true}, 0, 2, header + rows01, ""},
		{"separator", "", trainer.CSVLogger{Separator: ';'}, 0, 2, "epoch;loss;val_loss\n0;1;2\n1;0.5;1\n", ""},
		{"append with another header", "epoch,loss,accuracy\n0,1,0.5\n", trainer.CSVLogger{Append: true}, 0, 2, "epoch,loss,accuracy\n0,1,0.5\n",
			"has columns [epoch loss accuracy], this run logs [epoch loss val_loss]"},
		{"append with another separator", header, trainer.CSVLogger{Append: true, Separator: ';'}, 0, 2, header,
			"has columns [epoch,loss,val_loss], this run logs [epoch loss val_loss]"},
		{"bad separator", "", trainer.CSVLogger{Separator: '"'}, 0, 2, "", `separator must be a valid rune other than a quote, CR or LF, got '"'`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.csv")
			if c.existing != "" {
				if err := os.WriteFile(path, []byte(strings.TrimPrefix(c.existing, "-")), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cb := c.cb
			cb.Path = path
			err := logEpochs(&cb, names, c.first, c.epochs)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "csv logger: ") {
					t.Errorf("error %v, want one holding %q", err, c.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if _, err := os.Stat(path); err == nil {
					t.Errorf("a file was written")
				}
				return
			}
			if got := readFile(t, path); got != c.want {
				t.Errorf("file\n%q\nwant\n%q", got, c.want)
			}
		})
	}
	t.Run("no path", func(t *testing.T) {
		if err := logEpochs(&trainer.CSVLogger{}, names, 0, 1); err == nil || err.Error() != "csv logger: path is empty" {
			t.Errorf("error %v", err)
		}
	})
}
