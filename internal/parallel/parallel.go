// Package parallel splits a loop over the CPUs.
package parallel

import (
	"runtime"
	"sync"
)

// Min is the work (values touched) below which a loop runs on one
// goroutine: starting goroutines costs more than such a loop.
const Min = 1 << 15

// For calls fn over [0, n) split into one contiguous range per CPU, on
// goroutines, when work, the values the whole loop touches, is at least
// Min; otherwise once, over [0, n), on the calling goroutine.
func For(n, work int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 || work < Min {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		lo, hi := n*i/workers, n*(i+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
