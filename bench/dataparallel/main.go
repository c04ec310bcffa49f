//go:build mpi

// Command dataparallel times data-parallel training of the small CNN on
// Fashion-MNIST: the seconds per epoch and the share of them spent summing
// gradients (allreduce), on rank 0. Run it under mpirun with 1 and with 2
// ranks, each rank on one core:
//
//	go build -tags mpi -o /tmp/dp ./bench/dataparallel
//	GOMAXPROCS=1 mpirun --oversubscribe -np 1 /tmp/dp
//	GOMAXPROCS=1 mpirun --oversubscribe -np 2 /tmp/dp
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"time"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/distributed"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// timed is a Communicator that adds up the time its allreduces take.
type timed struct {
	*distributed.Comm
	reduce time.Duration
	calls  int
	bytes  int
}

func (t *timed) AllreduceSumFloat32(buf []float32) error {
	start := time.Now()
	err := t.Comm.AllreduceSumFloat32(buf)
	t.reduce += time.Since(start)
	t.calls++
	t.bytes += 4 * len(buf)
	return err
}

func main() {
	epochs := flag.Int("epochs", 1, "epochs to time")
	batch := flag.Int("batch-size", 128, "global batch size")
	limit := flag.Int("limit", 0, "train on the first n images only (0: all 60,000)")
	flag.Parse()
	comm, err := distributed.Init()
	if err != nil {
		log.Fatal(err)
	}
	code := 0
	if err := run(comm, *epochs, *batch, *limit); err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", comm.Rank(), err)
		code = 1
	}
	if err := comm.Finalize(); err != nil {
		log.Fatal(err)
	}
	os.Exit(code)
}

func run(comm *distributed.Comm, epochs, batch, limit int) error {
	ctx := context.Background()
	train, _, err := datasets.FashionMNIST(ctx, datasets.LoadOptions{})
	if err != nil {
		return err
	}
	if limit > 0 && limit < train.Len() {
		rows := make([]int, limit)
		for i := range rows {
			rows[i] = i
		}
		if train, err = train.Subset(rows); err != nil {
			return err
		}
	}
	m, err := models.NewSmallCNN(layers.Shape{28, 28, 1}, 10, 0.3)
	if err != nil {
		return err
	}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: 1}); err != nil {
		return err
	}
	tc := &timed{Comm: comm}
	var epochTimes []time.Duration
	start := time.Now()
	cb := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.EpochEnd {
			epochTimes = append(epochTimes, time.Since(start))
			start = time.Now()
		}
		return nil
	})
	if _, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: epochs, BatchSize: batch, Seed: 1, Comm: tc, Silent: true,
		Callbacks: []trainer.Callback{cb}}); err != nil {
		return err
	}
	if comm.Rank() == 0 {
		total := time.Duration(0)
		for _, d := range epochTimes {
			total += d
		}
		fmt.Printf("ranks %d, GOMAXPROCS %d, %d samples, global batch %d: %.1f s per epoch (%v); allreduce %.2f s, %.1f%% of training, %d calls, %.1f MB summed per step\n",
			comm.Size(), runtime.GOMAXPROCS(0), train.Len(), batch, total.Seconds()/float64(len(epochTimes)), epochTimes,
			tc.reduce.Seconds(), 100*tc.reduce.Seconds()/total.Seconds(), tc.calls, float64(tc.bytes)/float64(max(1, tc.calls))/1e6)
	}
	return nil
}
