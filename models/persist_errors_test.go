package models_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profundo/profundo/models"
)

func TestLoadErrors(t *testing.T) {
	m := trained(t)
	saved := filepath.Join(t.TempDir(), "saved")
	if err := m.Save(saved); err != nil {
		t.Fatal(err)
	}
	js, _ := os.ReadFile(filepath.Join(saved, "model.json"))
	weights, _ := os.ReadFile(filepath.Join(saved, "weights.safetensors"))
	edit := func(f func(doc map[string]any)) []byte {
		var doc map[string]any
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatal(err)
		}
		f(doc)
		out, _ := json.Marshal(doc)
		return out
	}
	tests := []struct {
		name          string
		model, weight []byte
		want          string
	}{
		{"truncated weights", js, weights[:len(weights)/2], "SHA-256"},
		{"corrupt weights", js, append(append([]byte{}, weights[:100]...), bytes.Repeat([]byte{7}, len(weights)-100)...), "SHA-256"},
		{"no weights", js, nil, "no weights.safetensors"},
		{"not json", []byte("{{"), weights, "model.json"},
		{"newer format", edit(func(d map[string]any) { d["format_version"] = 99 }), weights, "format version 99 is newer than this Profundo reads (1)"},
		{"foreign format", edit(func(d map[string]any) { d["format"] = "keras" }), weights, `format is "keras"`},
		{"unknown layer kind", edit(func(d map[string]any) {
			d["layers"].([]any)[1].(map[string]any)["kind"] = "dense3d"
		}), weights, `unknown layer kind "dense3d"`},
		{"unknown field", edit(func(d map[string]any) { d["colour"] = "blue" }), weights, `unknown field "colour"`},
		{"no input shape", edit(func(d map[string]any) { delete(d, "input_shape") }), weights, "no input_shape"},
		{"shape mismatch", edit(func(d map[string]any) {
			d["layers"].([]any)[1].(map[string]any)["config"].(map[string]any)["units"] = 33
		}), weights, "the architecture needs"},
		{"bad loss", edit(func(d map[string]any) {
			d["compile"].(map[string]any)["loss"] = map[string]any{"kind": "hinge2"}
		}), weights, "hinge2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.model != nil {
				os.WriteFile(filepath.Join(dir, "model.json"), tt.model, 0o644)
			}
			if tt.weight != nil {
				os.WriteFile(filepath.Join(dir, "weights.safetensors"), tt.weight, 0o644)
			}
			_, err := models.Load(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := models.Load(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("loading a missing path succeeded")
	}
	notZip := filepath.Join(t.TempDir(), "x.zip")
	os.WriteFile(notZip, []byte("hello"), 0o644)
	if _, err := models.Load(notZip); err == nil || !strings.Contains(err.Error(), "not a model directory or zip") {
		t.Errorf("loading a non-zip file: %v", err)
	}
}

func TestFromSpec(t *testing.T) {
	spec := `{
	  "input_shape": [64],
	  "seed": 3,
	  "layers": [
	    {"kind": "dense", "config": {"units": 32, "activation": "relu", "kernel_initializer": {"kind": "he_uniform"}}},
	    {"kind": "dropout", "config": {"rate": 0.2}},
	    {"kind": "dense", "config": {"name": "out", "units": 10, "activation": "softmax"}}
	  ],
	  "compile": {"loss": {"kind": "sparse_categorical_crossentropy"}, "optimizer": {"kind": "adam", "config": {"LearningRate": 0.003}}, "metrics": [{"kind": "accuracy"}]}
	}`
	m, err := models.FromSpec(strings.NewReader(spec), models.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Built() || m.Config().Loss.Name() != "sparse_categorical_crossentropy" || m.Solver().LearningRate() != 0.003 {
		t.Errorf("built %v, loss %v, rate %v", m.Built(), m.Config().Loss, m.Solver().LearningRate())
	}
	if !strings.Contains(m.Summary(), "out (Dense)") || !strings.Contains(m.Summary(), "Total params: 2,410") {
		t.Errorf("summary:\n%s", m.Summary())
	}
	for _, bad := range []struct{ spec, want string }{
		{`{"layers": []}`, "no layers"},
		{`{"layers": [{"kind": "dense", "config": {"units": 0}}], "input_shape": [3]}`, "units must be > 0"},
		{`{"layers": [{"kind": "dense"}], "input_shape": [3], "compile": {"loss": {"kind": "mse"}, "optimizer": {"kind": "adam", "config": {"Rate": 1}}}}`, `unknown field "Rate"`},
	} {
		if _, err := models.FromSpec(strings.NewReader(bad.spec), models.LoadOptions{}); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want %q", bad.spec, err, bad.want)
		}
	}
}

func FuzzFromSpec(f *testing.F) {
	f.Add(`{"input_shape": [4], "layers": [{"kind": "dense", "config": {"units": 2, "activation": "softmax"}}]}`)
	f.Add(`{"layers": [{"kind": "reshape", "config": {"target_shape": [2, -1]}}, {"kind": "flatten"}], "input_shape": [6]}`)
	f.Add(`{"layers": [{"kind": "dropout", "config": {"rate": 0.5}}], "input_shape": [1], "compile": {"loss": {"kind": "huber", "config": {"Delta": 2}}}}`)
	f.Add(`{"format": "profundo-model", "format_version": 1}`)
	f.Fuzz(func(t *testing.T, spec string) {
		m, err := models.FromSpec(strings.NewReader(spec), models.LoadOptions{})
		if err != nil {
			return
		}
		_ = m.Summary()
	})
}
