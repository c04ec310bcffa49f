package cli

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// run is the command as cmd/profundo runs it, with no options.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return Run(ctx, args, stdout, stderr, Options{})
}

func TestTrainDefault(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"train"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	for _, want := range []string{`Model: "sequential"`, "Total params: 4,810", "Epoch 30/30", "val_accuracy"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	m := regexp.MustCompile(`(?m)^test_accuracy: ([0-9.]+)$`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no test_accuracy line:\n%s", s)
	}
	acc, _ := strconv.ParseFloat(m[1], 64)
	if acc < 0.95 {
		t.Errorf("test accuracy %v, want >= 0.95", acc)
	}
	if !regexp.MustCompile(`(?m)^test_loss: [0-9.]+$`).MatchString(s) {
		t.Errorf("no test_loss line:\n%s", s)
	}
}

func TestTrainFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"train", "--epochs", "2", "--hidden", "16,8", "--optimizer", "sgd", "--lr", "0.05", "--dropout", "0.1", "--quiet", "--seed", "3"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "test_loss: ") || !strings.HasPrefix(lines[1], "test_accuracy: ") {
		t.Errorf("--quiet output:\n%s", out.String())
	}
}

// TestTrainCNN trains the small convolutional network on the digits, read
// as 8x8 images, and checks its test accuracy.
func TestTrainCNN(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"train", "--model", "cnn", "--epochs", "6", "--quiet", "--seed", "2", "--reduce-lr", "1", "--early-stopping", "2"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	m := regexp.MustCompile(`(?m)^test_accuracy: ([0-9.]+)$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no test_accuracy line:\n%s", out.String())
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 0.93 {
		t.Fatalf("test accuracy %v, want >= 0.93", acc)
	}
}

func TestHelpAndErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "--help"}, 0, "-batch-size"},
		{[]string{"train", "--model", "cnn", "--data", "iris"}, 1, "--model cnn on iris: cnn: samples of shape (None, 4) are not images"},
		{[]string{"train", "--model", "cnn", "--data", "diabetes"}, 1, "--model cnn: diabetes is not a classification task"},
		{[]string{"train", "--early-stopping", "2", "--validation-split", "0"}, 1, "they need --validation-split > 0"},
		{[]string{"train", "--reduce-lr", "-1"}, 1, "--early-stopping and --reduce-lr must be >= 0, got 0 and -1"},
		{[]string{"help"}, 0, "profundo train"},
		{[]string{}, 2, "Usage"},
		{[]string{"fly"}, 2, `unknown command "fly"`},
		{[]string{"train", "--optimizer", "adamax"}, 1, "adamax"},
		{[]string{"train", "--hidden", "12,x"}, 1, `"x" is not a positive number`},
		{[]string{"train", "--batch-size", "0"}, 1, "--batch-size must be > 0, got 0"},
		{[]string{"train", "--batch-size", "-2"}, 1, "--batch-size must be > 0, got -2"},
		{[]string{"train", "--epochs", "0"}, 1, "--epochs must be > 0, got 0"},
		{[]string{"train", "--test-split", "1.5"}, 1, "1.5"},
		{[]string{"train", "--dropout", "1"}, 1, "--dropout must be in [0, 1), got 1"},
		{[]string{"train", "--dropout", "-0.5"}, 1, "--dropout must be in [0, 1), got -0.5"},
		{[]string{"train", "--validation-split", "1"}, 1, "--validation-split must be in [0, 1), got 1"},
		{[]string{"train", "--test-split", "0"}, 1, "--test-split must be in (0, 1), got 0"},
		{[]string{"train", "--lr", "-0.1"}, 1, "--lr must be in [0, inf), got -0.1"},
		{[]string{"train", "--lr", "NaN"}, 1, "--lr must be in [0, inf), got NaN"},
		{[]string{"train", "--data-dir", "."}, 1, "--data-dir is where mnist and fashion-mnist are read from, but --data is \"digits\""},
		{[]string{"train", "extra"}, 1, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %s)", code, tt.code, errOut.String())
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, all)
			}
		})
	}
}
