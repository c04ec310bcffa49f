package datasets_test

import (
	"fmt"
	"math/rand"

	"github.com/profundo/profundo/datasets"
)

// A Batcher hands out the row indices of each batch of an epoch: 10 rows
// in batches of 4 are three batches, the last of 2. Each epoch's order
// comes from (seed, epoch) alone, so an epoch can be replayed, from any
// batch on, as a resumed run does.
func ExampleNewBatcher() {
	b, err := datasets.NewBatcher(10, 4, false, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("steps:", b.Steps(), "size:", b.Size())
	for i, rows := range b.Epoch(0, 0) {
		fmt.Println("batch", i, rows)
	}

	shuffled, err := datasets.NewBatcher(10, 4, true, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	var whole, resumed [][]int
	for _, rows := range shuffled.Epoch(3, 0) {
		whole = append(whole, append([]int(nil), rows...)) // rows is reused: copy it
	}
	for _, rows := range shuffled.Epoch(3, 1) { // epoch 3 from batch 1 on
		resumed = append(resumed, append([]int(nil), rows...))
	}
	fmt.Println("replayed:", fmt.Sprint(whole[1:]) == fmt.Sprint(resumed))
	// Output:
	// steps: 3 size: 4
	// batch 0 [0 1 2 3]
	// batch 1 [4 5 6 7]
	// batch 2 [8 9]
	// replayed: true
}

// StreamSeed gives each (epoch, batch) of a run its own random stream,
// which needs no state to replay: the dropout masks of epoch 2's batch 5
// are the same whether the run got there directly or resumed.
func ExampleStreamSeed() {
	a := rand.New(rand.NewSource(datasets.StreamSeed(42, 2, 5))).Float64()
	b := rand.New(rand.NewSource(datasets.StreamSeed(42, 2, 5))).Float64()
	c := rand.New(rand.NewSource(datasets.StreamSeed(42, 2, 6))).Float64()
	fmt.Println("same coordinates, same stream:", a == b)
	fmt.Println("next batch, another stream:", a != c)
	// Output:
	// same coordinates, same stream: true
	// next batch, another stream: true
}
