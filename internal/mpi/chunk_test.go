package mpi

import (
	"math"
	"reflect"
	"testing"

	"github.com/pkg/errors"
)

// TestChunks checks the ranges the collectives split a slice into: at most
// chunkBytes each, at least one value, never more than MPI's int count
// limit (checked on a length over 2^32 without allocating it), covering the
// slice once in order, and stopping at the first error.
func TestChunks(t *testing.T) {
	const maxInt32 = math.MaxInt32
	type span struct{ lo, hi int }
	for _, tc := range []struct {
		name       string
		chunkBytes int
		n, size    int
		want       []span
	}{
		{"empty", 24, 0, 4, nil},
		{"one chunk", 24, 5, 4, []span{{0, 5}}},
		{"exact", 24, 12, 4, []span{{0, 6}, {6, 12}}},
		{"ragged", 24, 20, 8, []span{{0, 3}, {3, 6}, {6, 9}, {9, 12}, {12, 15}, {15, 18}, {18, 20}}},
		{"value larger than chunk", 4, 3, 8, []span{{0, 1}, {1, 2}, {2, 3}}},
		{"int count limit", 1 << 40, 2*maxInt32 + 5, 1, []span{{0, maxInt32}, {maxInt32, 2 * maxInt32}, {2 * maxInt32, 2*maxInt32 + 5}}},
		{"8 MiB of float32", 8 << 20, 2<<20 + 1, 4, []span{{0, 2 << 20}, {2 << 20, 2<<20 + 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(b int) { chunkBytes = b }(chunkBytes)
			chunkBytes = tc.chunkBytes
			var got []span
			err := chunks(tc.n, tc.size, func(lo, hi int) error {
				got = append(got, span{lo, hi})
				return nil
			})
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("chunks(%d, %d) with chunkBytes %d = %v, %v; want %v", tc.n, tc.size, tc.chunkBytes, got, err, tc.want)
			}
		})
	}
	t.Run("stops at error", func(t *testing.T) {
		defer func(b int) { chunkBytes = b }(chunkBytes)
		chunkBytes = 8
		calls := 0
		stop := errors.New("stop")
		err := chunks(10, 4, func(lo, hi int) error {
			calls++
			if lo == 2 {
				return stop
			}
			return nil
		})
		if err != stop || calls != 2 {
			t.Errorf("got %v after %d calls, want stop after 2", err, calls)
		}
	})
}
