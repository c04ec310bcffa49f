package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/profundo/profundo/internal/safetensors"
	"github.com/profundo/profundo/models"
)

// dirHash hashes every file of a model directory, by name.
func dirHash(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(h[:])
	}
	return out
}

func sameHashes(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// writeFile writes data to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// colorsCSV is a small table: two numbers, a color, and a label that the
// numbers decide, with the labels given.
func colorsCSV(labels [2]string) string {
	var b strings.Builder
	b.WriteString("x1,x2,color,label\n")
	for i := 0; i < 120; i++ {
		x1, x2 := float64(i%11)/10, float64(i%7)/6
		label := labels[0]
		if x1+x2 > 1 {
			label = labels[1]
		}
		b.WriteString(strings.Join([]string{ftoa(x1), ftoa(x2), []string{"red", "blue", "green"}[i%3], label}, ","))
		b.WriteString("\n")
	}
	return b.String()
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// TestBadInputs runs the command on each bad input with a good model at
// --out, and checks the exit status, the message, that nothing was trained
// when the input could be refused first, and that the model is untouched.
func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	prev := filepath.Join(dir, "prev")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"train", "--epochs", "2", "--quiet", "--out", prev}, &out, &errOut); code != 0 {
		t.Fatalf("the previous model: exit %d: %s", code, errOut.String())
	}
	before := dirHash(t, prev)

	aFile := writeFile(t, dir, "notes.txt", "the user's notes")
	emptyDir := filepath.Join(dir, "empty")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	otherDir := filepath.Join(dir, "other")
	if err := os.Mkdir(otherDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, otherDir, "thesis.tex", "years of work")
	giant := writeFile(t, dir, "giant.csv", "x1,x2,color,label\n1,2,red,a\n1,"+strings.Repeat("9", 2<<20)+",red,b\n")
	latin1 := writeFile(t, dir, "latin1.csv", strings.NewReplacer("Müller", "M\xfcller", "Möller", "M\xf6ller").Replace(colorsCSV([2]string{"Müller", "Möller"})))

	tests := []struct {
		name string
		args []string
		want string
		// trains says the run may train before it fails (an error only the
		// data can show); else its output must show no epoch.
		trains bool
	}{
		{"--out is a file", []string{"train", "--out", aFile}, "--out " + aFile + " exists and is not a directory", false},
		{"--out is a directory of other things", []string{"train", "--out", otherDir}, "is a directory that holds no saved model (no model.json)", false},
		{"--curves in a missing directory", []string{"train", "--out", prev, "--curves", filepath.Join(dir, "missing", "c.png")}, "the directory " + filepath.Join(dir, "missing") + " does not exist", false},
		{"--checkpoint in a file's place", []string{"train", "--out", prev, "--checkpoint", filepath.Join(aFile, "ckpt.zip")}, "not a directory", false},
		{"--out and --checkpoint the same", []string{"train", "--out", prev, "--checkpoint", prev}, "the checkpoint would replace the model", false},
		{"--dropout -0.5", []string{"train", "--out", prev, "--dropout", "-0.5"}, "--dropout must be in [0, 1), got -0.5", false},
		{"--validation-split 1", []string{"train", "--out", prev, "--validation-split", "1"}, "--validation-split must be in [0, 1), got 1", false},
		{"--max-line-bytes -2", []string{"train", "--out", prev, "--max-line-bytes", "-2"}, "must be >= -1", false},
		{"a CSV with a 2 MiB line", []string{"train", "--out", prev, "--data", "csv", "--path", giant, "--target", "label"}, "line 3 is longer than 1048576 bytes, the limit (raise it with CSVOptions.MaxLineBytes, the profundo command's --max-line-bytes)", false},
		{"a Latin-1 CSV", []string{"train", "--out", prev, "--data", "csv", "--path", latin1, "--target", "label"}, `line 2, column 4: "M\xfcller" is not valid UTF-8`, false},
		{"--encoding unknown", []string{"train", "--out", prev, "--data", "csv", "--path", latin1, "--target", "label", "--encoding", "klingon"}, `encoding "klingon" is not known`, false},
		{"--data-dir a file", []string{"train", "--out", prev, "--data", "mnist", "--data-dir", aFile}, "--data-dir " + aFile + " is not a directory", false},
		{"--data-dir without the files", []string{"train", "--out", prev, "--data", "fashion-mnist", "--data-dir", emptyDir}, "--data-dir " + emptyDir + " has no train-images-idx3-ubyte (or train-images-idx3-ubyte.gz)", false},
		{"--data-dir with digits", []string{"train", "--out", prev, "--data-dir", emptyDir}, "--data-dir is where mnist and fashion-mnist are read from", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut.String())
			}
			if !tt.trains && strings.Contains(out.String(), "Epoch") {
				t.Errorf("the run trained before it refused the input:\n%s", out.String())
			}
			if !sameHashes(before, dirHash(t, prev)) {
				t.Error("the previous model changed")
			}
		})
	}
	if b, _ := os.ReadFile(aFile); string(b) != "the user's notes" {
		t.Errorf("the file given as --out holds %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(otherDir, "thesis.tex")); string(b) != "years of work" {
		t.Errorf("the directory given as --out lost its file: %q", b)
	}

	// With its encoding named, the Latin-1 CSV trains, Müller and Möller
	// two classes.
	named := filepath.Join(dir, "named")
	if code := run(context.Background(), []string{"train", "--quiet", "--epochs", "2", "--out", named, "--data", "csv", "--path", latin1, "--target", "label", "--encoding", "latin-1"}, &out, &errOut); code != 0 {
		t.Fatalf("--encoding latin-1: exit %d: %s", code, errOut.String())
	}
	m, err := models.Load(named)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.ClassNames, ",") != "Möller,Müller" {
		t.Errorf("classes %q, want Möller and Müller", m.ClassNames)
	}
}

// TestNonFiniteWeightsRefused: weights of the right size and hash but NaN
// are refused by predict, naming the tensor; nothing is printed.
func TestNonFiniteWeightsRefused(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"train", "--epochs", "1", "--quiet", "--out", model}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	// NaN weights, and a model.json whose hash matches them.
	wpath := filepath.Join(model, "weights.safetensors")
	data, err := os.ReadFile(wpath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range f.Tensors {
		v := ts.Value.Data().([]float32)
		for i := range v {
			v[i] = float32(math.NaN())
		}
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	if len(buf.Bytes()) != len(data) {
		t.Fatalf("rewritten weights are %d bytes, were %d", buf.Len(), len(data))
	}
	js, err := os.ReadFile(filepath.Join(model, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	oldSum, newSum := sha256.Sum256(data), sha256.Sum256(buf.Bytes())
	js = bytes.ReplaceAll(js, []byte(hex.EncodeToString(oldSum[:])), []byte(hex.EncodeToString(newSum[:])))
	writeFile(t, model, "model.json", string(js))
	writeFile(t, model, "weights.safetensors", buf.String())

	row := strings.TrimSuffix(strings.Repeat("1,", 64), ",") + "\n"
	input := writeFile(t, dir, "rows.csv", row+row)
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"predict", "--model", model, "--input", input}, &out, &errOut)
	if code != 1 {
		t.Errorf("predict with NaN weights: exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), `weights.safetensors: tensor "`) || !strings.Contains(errOut.String(), "is NaN: weights must be finite") {
		t.Errorf("stderr does not name the tensor and the value:\n%s", errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("predict printed %q", out.String())
	}
}

// TestRecordedPathIsAbsolute trains on a CSV given by a relative path and
// evaluates from another directory; when the file is gone, the error says
// the path came from the model.
func TestRecordedPathIsAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "colors.csv", colorsCSV([2]string{"low", "high"}))
	model := filepath.Join(dir, "model")
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"train", "--quiet", "--epochs", "3", "--data", "csv", "--path", "colors.csv", "--target", "label", "--out", model}, &out, &errOut); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut.String())
	}
	t.Chdir(t.TempDir())
	out.Reset()
	if code := run(context.Background(), []string{"evaluate", "--model", model}, &out, &errOut); code != 0 {
		t.Fatalf("evaluate from another directory: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "test_accuracy") {
		t.Errorf("evaluate printed:\n%s", out.String())
	}
	if err := os.Remove(filepath.Join(dir, "colors.csv")); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	code := run(context.Background(), []string{"evaluate", "--model", model}, &out, &errOut)
	want := "the CSV the model was trained on, " + filepath.Join(dir, "colors.csv") + " (the path is recorded in the model"
	if code != 1 || !strings.Contains(errOut.String(), want) {
		t.Errorf("evaluate with the CSV gone: exit %d, stderr %s; want 1 and %q", code, errOut.String(), want)
	}
}
