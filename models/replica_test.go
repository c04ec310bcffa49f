package models_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
)

// Replicas predict in parallel what the model predicts alone.
func TestReplicasPredictInParallel(t *testing.T) {
	m := trained(t)
	_, test := digits(t)
	wants, err := m.Predict(context.Background(), test.X)
	if err != nil {
		t.Fatal(err)
	}
	want := wants[0]
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		r, err := m.Replica()
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 3; j++ {
				gots, err := r.Predict(context.Background(), test.X)
				if err != nil {
					errs <- err
					return
				}
				got := gots[0]
				if !reflect.DeepEqual(got.Data(), want.Data()) {
					t.Error("a replica predicted other values")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
