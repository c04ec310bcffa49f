package trainer

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"
)

func TestProgressLinePerEpochOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf)
	if p.live {
		t.Fatal("a buffer is not a terminal")
	}
	names := []string{"loss", "accuracy", "val_loss", "val_accuracy"}
	for epoch := 0; epoch < 2; epoch++ {
		for b := 0; b < 3; b++ {
			_ = p.On(&Event{Kind: BatchEnd, Epoch: epoch, Epochs: 2, Batch: b, Steps: 3, Samples: 10 * (b + 1), TotalSamples: 30,
				Elapsed: time.Second, Logs: Logs{"loss": 1, "accuracy": 0.5}, Names: names})
		}
		_ = p.On(&Event{Kind: EpochEnd, Epoch: epoch, Epochs: 2, Steps: 3, Samples: 30, TotalSamples: 30, Elapsed: 2 * time.Second,
			Logs: Logs{"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "val_accuracy": 0.75}, Names: names})
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per epoch:\n%s", len(lines), buf.String())
	}
	want := "Epoch 2/2 3/3 2.0s 15 samples/s - loss: 0.2500 - accuracy: 0.8750 - val_loss: 0.5000 - val_accuracy: 0.7500"
	if lines[1] != want {
		t.Errorf("line\n%q\nwant\n%q", lines[1], want)
	}
}

func TestProgressLiveBar(t *testing.T) {
	var buf bytes.Buffer
	p := &Progress{w: &buf, live: true}
	_ = p.On(&Event{Kind: BatchEnd, Epoch: 0, Epochs: 5, Batch: 4, Steps: 10, Samples: 50, TotalSamples: 100,
		Elapsed: 500 * time.Millisecond, Logs: Logs{"loss": 0.5}, Names: []string{"loss"}})
	got := buf.String()
	want := "\r\033[KEpoch 1/5  5/10 [==========>.........] ETA 500ms 100 samples/s - loss: 0.5000"
	if got != want {
		t.Errorf("bar\n%q\nwant\n%q", got, want)
	}
}

func TestHistoryLast(t *testing.T) {
	h := newHistory()
	h.add(0, []string{"loss"}, Logs{"loss": 2})
	h.add(1, []string{"loss"}, Logs{"loss": 1})
	if v, ok := h.Last("loss"); !ok || v != 1 {
		t.Errorf("Last(loss) = %v, %v", v, ok)
	}
	if _, ok := h.Last("accuracy"); ok {
		t.Error("Last of a metric never logged reported a value")
	}
}

func TestHistorySavePNG(t *testing.T) {
	h := newHistory()
	names := []string{"loss", "accuracy", "val_loss", "val_accuracy"}
	for e := 0; e < 4; e++ {
		h.add(e, names, Logs{"loss": 1 / float64(e+1), "accuracy": 0.5 + 0.1*float64(e), "val_loss": 1.2 / float64(e+1), "val_accuracy": 0.45 + 0.1*float64(e)})
	}
	path := t.TempDir() + "/curves.png"
	if err := h.SavePNG(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 100 {
		t.Errorf("image is %v", b)
	}
}
