package tuner_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/profundo/profundo/trainer"
	"github.com/profundo/profundo/tuner"
)

func TestHyperbandSchedule(t *testing.T) {
	tests := []struct {
		h      tuner.Hyperband
		want   [][]tuner.Rung
		epochs int
	}{
		{tuner.Hyperband{}, [][]tuner.Rung{
			{{27, 1}, {9, 3}, {3, 9}, {1, 27}},
			{{12, 3}, {4, 9}, {1, 27}},
			{{6, 9}, {2, 27}},
			{{4, 27}},
		}, 81 + 78 + 90 + 108},
		{tuner.Hyperband{MaxEpochs: 9}, [][]tuner.Rung{
			{{9, 1}, {3, 3}, {1, 9}},
			{{5, 3}, {1, 9}},
			{{3, 9}},
		}, 21 + 21 + 27},
		{tuner.Hyperband{MaxEpochs: 10, Factor: 2}, [][]tuner.Rung{
			{{8, 2}, {4, 3}, {2, 5}, {1, 10}},
			{{6, 3}, {3, 5}, {1, 10}},
			{{4, 5}, {2, 10}},
			{{4, 10}},
		}, (8*2 + 4*1 + 2*2 + 1*5) + (6*3 + 3*2 + 1*5) + (4*5 + 2*5) + 4*10},
		{tuner.Hyperband{MaxEpochs: 2, Iterations: 2}, [][]tuner.Rung{{{1, 2}}, {{1, 2}}}, 4},
	}
	for _, tt := range tests {
		bs, err := tt.h.Brackets()
		if err != nil {
			t.Fatal(err)
		}
		var got [][]tuner.Rung
		for _, b := range bs {
			got = append(got, b.Rungs)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v: brackets %v, want %v", tt.h, got, tt.want)
		}
		if n, _ := tt.h.Epochs(); n != tt.epochs {
			t.Errorf("%+v: %d epochs, want %d", tt.h, n, tt.epochs)
		}
	}
}

// countingBuild counts every epoch any trial trains.
func countingBuild(epochs *atomic.Int64) tuner.BuildFunc {
	return func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		m, cfg, err := buildMLP(100)(hp)
		cfg.Callbacks = []trainer.Callback{trainer.CallbackFunc(func(e *trainer.Event) error {
			if e.Kind == trainer.EpochEnd {
				epochs.Add(1)
			}
			return nil
		})}
		return m, cfg, err
	}
}

func TestHyperbandEpochAccounting(t *testing.T) {
	data := digits(t)
	hb := tuner.Hyperband{MaxEpochs: 9}
	var tables []string
	for _, workers := range []int{1, 2} {
		var counted atomic.Int64
		s := &tuner.Search{
			Space: mlpSpace(), Build: countingBuild(&counted), Strategy: hb,
			Objective: tuner.Objective{Metric: "val_accuracy"}, Seed: 3, Workers: workers,
		}
		res, err := s.Run(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := hb.Epochs()
		if len(res.Trials) != 22 || res.TotalEpochs() != want || counted.Load() != int64(want) {
			t.Fatalf("%d trials, %d epochs counted, %d trained; want 22 and %d:\n%s", len(res.Trials), res.TotalEpochs(), counted.Load(), want, res.Table())
		}
		byID := map[int]*tuner.Trial{}
		for _, tr := range res.Trials {
			byID[tr.ID] = tr
		}
		for _, tr := range res.Trials {
			if tr.Parent < 0 {
				if tr.InitialEpoch != 0 || tr.EpochsRun != tr.Epochs {
					t.Errorf("trial %d: from epoch %d, ran %d of %d", tr.ID, tr.InitialEpoch, tr.EpochsRun, tr.Epochs)
				}
				continue
			}
			p := byID[tr.Parent]
			if p.Rung != tr.Rung-1 || p.Bracket != tr.Bracket || tr.InitialEpoch != p.Epochs || tr.EpochsRun != tr.Epochs-p.Epochs ||
				tr.Values.Text() != p.Values.Text() {
				t.Errorf("trial %d continues %d badly: %+v after %+v", tr.ID, p.ID, tr, p)
			}
			// The parent ranked among the best of its rung.
			beaten := 0
			for _, o := range res.Trials {
				if o.Bracket == p.Bracket && o.Rung == p.Rung && o.Score > p.Score {
					beaten++
				}
			}
			promoted := 0
			for _, o := range res.Trials {
				if o.Bracket == tr.Bracket && o.Rung == tr.Rung {
					promoted++
				}
			}
			if beaten >= promoted {
				t.Errorf("trial %d was promoted with %d trials of its rung ahead, %d promoted", p.ID, beaten, promoted)
			}
		}
		tables = append(tables, res.Table())
	}
	if tables[0] != tables[1] {
		t.Errorf("1 worker:\n%s\n2 workers:\n%s", tables[0], tables[1])
	}
}

// TestHyperbandResume interrupts a search after its first round: the
// promoted trials then train from scratch, to the same scores, and count
// the epochs they spent.
func TestHyperbandResume(t *testing.T) {
	data := digits(t)
	hb := tuner.Hyperband{MaxEpochs: 3}
	var n atomic.Int64
	full, err := (&tuner.Search{Space: mlpSpace(), Build: countingBuild(&n), Strategy: hb, Objective: tuner.Objective{Metric: "val_accuracy"}, Seed: 9}).Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := 0
	for _, tr := range full.Trials {
		if tr.Rung == 0 {
			first++
		}
	}
	var finished atomic.Int64
	interrupting := func(hp *tuner.Values) (tuner.Model, trainer.FitConfig, error) {
		m, cfg, err := buildMLP(1)(hp)
		cfg.Callbacks = []trainer.Callback{trainer.CallbackFunc(func(e *trainer.Event) error {
			if e.Kind == trainer.TrainEnd && finished.Add(1) == int64(first) {
				cancel()
			}
			return nil
		})}
		return m, cfg, err
	}
	s := &tuner.Search{Space: mlpSpace(), Build: interrupting, Strategy: hb, Objective: tuner.Objective{Metric: "val_accuracy"}, Seed: 9, Dir: dir, Workers: 1}
	if _, err := s.Run(ctx, data); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	s.Build = buildMLP(1)
	res, err := s.Run(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trials) != len(full.Trials) {
		t.Fatalf("%d trials resumed, %d uninterrupted", len(res.Trials), len(full.Trials))
	}
	extra := 0
	for i, tr := range res.Trials {
		u := full.Trials[i]
		if tr.Score != u.Score || tr.Values.Text() != u.Values.Text() || tr.Parent != u.Parent {
			t.Errorf("trial %d: %v (%s) resumed, %v (%s) uninterrupted", tr.ID, tr.Score, tr.Values.Text(), u.Score, u.Values.Text())
		}
		if tr.Rung == 1 {
			extra += tr.InitialEpoch
			if tr.EpochsRun != tr.Epochs {
				t.Errorf("promoted trial %d ran %d epochs after the resume, want all %d", tr.ID, tr.EpochsRun, tr.Epochs)
			}
		}
	}
	if res.TotalEpochs() != full.TotalEpochs()+extra || extra == 0 {
		t.Errorf("resumed search counts %d epochs, uninterrupted %d, retrained %d", res.TotalEpochs(), full.TotalEpochs(), extra)
	}
}
