package datasets

import (
	"iter"
	"math/rand"

	"github.com/pkg/errors"
)

// Batcher splits n rows into batches of Size for training: each epoch in an
// order shuffled from (Seed, epoch) alone, so any epoch can be replayed
// (which is how a resumed run continues exactly), with the last, smaller
// batch included. It hands out row indices; whoever reads a batch copies
// just those rows, so no epoch copies the whole set.
type Batcher struct {
	n, size int
	shuffle bool
	seed    int64
	order   []int
}

// NewBatcher returns a Batcher over n rows in batches of size (both > 0),
// shuffled each epoch unless shuffle is false.
func NewBatcher(n, size int, shuffle bool, seed int64) (*Batcher, error) {
	if n <= 0 {
		return nil, errors.Errorf("batches: there are no rows (n = %d)", n)
	}
	if size <= 0 {
		return nil, errors.Errorf("batches: batch size must be > 0, got %d", size)
	}
	return &Batcher{n: n, size: min(size, n), shuffle: shuffle, seed: seed, order: make([]int, n)}, nil
}

// Steps is the number of batches in an epoch.
func (b *Batcher) Steps() int { return (b.n + b.size - 1) / b.size }

// Size is the batch size (at most the number of rows).
func (b *Batcher) Size() int { return b.size }

// Epoch yields epoch's batches, from batch first on: the batch index and
// its row indices. The slice is valid until the next batch.
func (b *Batcher) Epoch(epoch, first int) iter.Seq2[int, []int] {
	for i := range b.order {
		b.order[i] = i
	}
	if b.shuffle {
		rng := rand.New(rand.NewSource(StreamSeed(b.seed, epoch, -1)))
		rng.Shuffle(b.n, func(i, j int) { b.order[i], b.order[j] = b.order[j], b.order[i] })
	}
	return func(yield func(int, []int) bool) {
		for s := max(first, 0); s < b.Steps(); s++ {
			if !yield(s, b.order[s*b.size:min((s+1)*b.size, b.n)]) {
				return
			}
		}
	}
}

// StreamSeed derives the seed of one random stream of a run from the run's
// seed and two coordinates (an epoch, and a batch or -1), with SplitMix64's
// mixing, so streams are independent and need no state to replay.
func StreamSeed(seed int64, epoch, batch int) int64 {
	z := uint64(seed)
	for _, v := range []uint64{uint64(epoch), uint64(batch)} {
		z += 0x9e3779b97f4a7c15 + v
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
	}
	return int64(z >> 1)
}
