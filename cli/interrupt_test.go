package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// cancelAt is the command's standard output that cancels the run's
// context, as SIGINT does, the moment the output shows marker: the command
// writes on the goroutine that runs, so the cancel lands exactly in the
// phase that follows the marker.
type cancelAt struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (c *cancelAt) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.buf.Write(p)
	if c.marker != "" && strings.Contains(c.buf.String(), c.marker) {
		c.cancel()
		c.marker = ""
	}
	return n, err
}

// TestInterruptPhases interrupts a run in each phase after training (the
// test evaluation, the save) and checks the exit status, the message, what
// was kept, and that a resumed run ends with the weights of a run never
// interrupted. (Interrupts during a training batch: TestInterruptAndResume;
// during validation: the models package's TestInterruptDuringValidation.)
func TestInterruptPhases(t *testing.T) {
	dir := t.TempDir()
	args := []string{"train", "--epochs", "12", "--hidden", "16", "--dropout", "0.1", "--seed", "5", "--validation-split", "0.1"}
	whole := filepath.Join(dir, "whole")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append(args, "--quiet", "--out", whole), &out, &errOut); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, errOut.String())
	}
	want := weightsIn(t, whole)

	for _, tc := range []struct {
		phase, marker, message string
		resume                 bool
	}{
		{"training", "Epoch  7/12", "Interrupted during training or validation, before epoch 8/12, batch 1: checkpoint saved to", true},
		{"test evaluation", "Trained in", "Interrupted during the test evaluation, after the last epoch: the trained model's checkpoint saved to", true},
		{"save", "test_accuracy:", "Interrupted while saving: the run had finished, and the model was saved to", false},
	} {
		t.Run(tc.phase, func(t *testing.T) {
			sub := t.TempDir()
			ckpt, model := filepath.Join(sub, "ckpt.zip"), filepath.Join(sub, "model")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &cancelAt{marker: tc.marker, cancel: cancel}
			var errOut bytes.Buffer
			code := run(ctx, append(args, "--out", model, "--checkpoint", ckpt), w, &errOut)
			if code != 130 {
				t.Fatalf("exit %d, want 130; stderr: %s", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.message) {
				t.Errorf("stderr lacks %q:\n%s", tc.message, errOut.String())
			}
			if !tc.resume {
				if _, err := os.Stat(ckpt); !os.IsNotExist(err) {
					t.Errorf("a checkpoint was written: %v", err)
				}
				if !reflect.DeepEqual(weightsIn(t, model), want) {
					t.Error("the model saved by the interrupted run differs from the uninterrupted run's")
				}
				return
			}
			if _, err := os.Stat(model); !os.IsNotExist(err) {
				t.Fatalf("the interrupted run saved a model to --out: %v", err)
			}
			var out bytes.Buffer
			errOut.Reset()
			if code := run(context.Background(), append(args, "--quiet", "--out", model, "--checkpoint", ckpt, "--resume"), &out, &errOut); code != 0 {
				t.Fatalf("resumed run: exit %d: %s", code, errOut.String())
			}
			if !strings.Contains(out.String(), "test_accuracy:") {
				t.Errorf("the resumed run printed no test metrics:\n%s", out.String())
			}
			if !reflect.DeepEqual(weightsIn(t, model), want) {
				t.Error("interrupted and resumed, the run ends with other weights than the uninterrupted run")
			}
			if _, err := os.Stat(ckpt); !os.IsNotExist(err) {
				t.Error("the checkpoint is still there after the resumed run saved the model")
			}
		})
	}
}
