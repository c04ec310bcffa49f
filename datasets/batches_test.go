package datasets_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

func epochRows(b *datasets.Batcher, epoch, first int) (sizes []int, rows []int) {
	for _, r := range b.Epoch(epoch, first) {
		sizes = append(sizes, len(r))
		rows = append(rows, r...)
	}
	return sizes, rows
}

func TestBatcher(t *testing.T) {
	b, err := datasets.NewBatcher(10, 4, true, 7)
	if err != nil {
		t.Fatal(err)
	}
	if b.Steps() != 3 {
		t.Fatalf("%d steps, want 3", b.Steps())
	}
	sizes, rows := epochRows(b, 0, 0)
	if !reflect.DeepEqual(sizes, []int{4, 4, 2}) {
		t.Errorf("batch sizes %v, want the last partial batch too", sizes)
	}
	sorted := append([]int(nil), rows...)
	sort.Ints(sorted)
	if !reflect.DeepEqual(sorted, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("epoch 0 visits %v: every row must appear exactly once", rows)
	}
	_, again := epochRows(b, 0, 0)
	_, next := epochRows(b, 1, 0)
	if !reflect.DeepEqual(rows, again) || reflect.DeepEqual(rows, next) {
		t.Error("an epoch's order must depend on the seed and the epoch alone")
	}
	other, _ := datasets.NewBatcher(10, 4, true, 8)
	if _, o := epochRows(other, 0, 0); reflect.DeepEqual(rows, o) {
		t.Error("another seed gave the same order")
	}
	if _, tail := epochRows(b, 0, 2); !reflect.DeepEqual(tail, rows[8:]) {
		t.Errorf("resuming at batch 2 gave %v, want %v", tail, rows[8:])
	}
	plain, _ := datasets.NewBatcher(5, 8, false, 1)
	if sizes, rows := epochRows(plain, 3, 0); !reflect.DeepEqual(rows, []int{0, 1, 2, 3, 4}) || len(sizes) != 1 {
		t.Errorf("unshuffled: %v in %v", rows, sizes)
	}
	for _, bad := range []struct {
		n, size int
		want    string
	}{{0, 4, "no rows"}, {4, 0, "batch size must be > 0, got 0"}, {4, -2, "got -2"}} {
		if _, err := datasets.NewBatcher(bad.n, bad.size, true, 1); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("NewBatcher(%d, %d): %v", bad.n, bad.size, err)
		}
	}
}
