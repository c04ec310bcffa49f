package tuner_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/profundo/profundo/tuner"
)

// BenchmarkRandomSearch runs a 4-trial random search of 5 epochs a trial
// on the digits with 1 and 2 workers; compare their trials/s (the same
// seed gives the same trials). bench/tune runs the full-size search.
func BenchmarkRandomSearch(b *testing.B) {
	data := digits(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			s := &tuner.Search{
				Space: mlpSpace(), Build: buildMLP(5), Objective: tuner.Objective{Metric: "val_accuracy"},
				MaxTrials: 4, Seed: 1, Workers: workers,
			}
			for b.Loop() {
				if _, err := s.Run(context.Background(), data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "trials/s")
		})
	}
}
