package cli

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/profundo/profundo/models"
)

// TestMain lets a test run the command itself in a child process: with
// PROFUNDO_RUN_MAIN=1 the test binary is the profundo command.
func TestMain(m *testing.M) {
	if os.Getenv("PROFUNDO_RUN_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], Options{}))
	}
	os.Exit(m.Run())
}

func weightsIn(t *testing.T, dir string) map[string][]float32 {
	t.Helper()
	m, err := models.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for _, w := range m.Weights() {
		out[w.Name] = append([]float32(nil), w.Value.Data().([]float32)...)
	}
	return out
}

// TestInterruptAndResume stops a training child process with SIGINT, checks
// it saved a checkpoint and exited 130, resumes with --resume, and compares
// the final weights with an uninterrupted run's.
func TestInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	args := []string{"train", "--epochs", "150", "--hidden", "32", "--dropout", "0.1", "--seed", "4", "--validation-split", "0.1"}

	whole := filepath.Join(dir, "whole")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append(args, "--quiet", "--out", whole), &out, &errOut); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, errOut.String())
	}

	ckpt := filepath.Join(dir, "ckpt.zip")
	parted := filepath.Join(dir, "parted")
	cmd := exec.Command(os.Args[0], append(args, "--out", parted, "--checkpoint", ckpt)...)
	cmd.Env = append(os.Environ(), "PROFUNDO_RUN_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once a few epochs have run.
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "Epoch" && strings.HasPrefix(f[1], "5/") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child did not stop within a minute of SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("interrupted child exited %d (%v), want 130; stderr: %s", code, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "checkpoint saved to "+ckpt) {
		t.Errorf("stderr does not say where the checkpoint is: %s", stderr.String())
	}
	if _, err := os.Stat(parted); err == nil {
		t.Fatal("the interrupted run saved a final model")
	}
	m, err := models.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if at := m.Checkpoint(); at == nil || at.Epoch < 4 {
		t.Fatalf("checkpoint %+v, want one taken after epoch 5 began", at)
	}

	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), append(args, "--quiet", "--out", parted, "--checkpoint", ckpt, "--resume"), &out, &errOut); code != 0 {
		t.Fatalf("resumed run: exit %d: %s", code, errOut.String())
	}
	if !reflect.DeepEqual(weightsIn(t, whole), weightsIn(t, parted)) {
		t.Error("interrupted and resumed run ends with other weights than the uninterrupted run")
	}
	if _, err := os.Stat(ckpt); !os.IsNotExist(err) {
		t.Error("the checkpoint is still there after the resumed run finished")
	}
	// A resume with other flags is refused.
	if code := run(context.Background(), []string{"train", "--resume", "--checkpoint", filepath.Join(dir, "whole")}, &out, &errOut); code == 0 {
		t.Error("resuming from a saved model (not a checkpoint) succeeded")
	}
}
