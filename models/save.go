package models

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/atomicfile"
	"github.com/profundo/profundo/internal/safetensors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/optimizers"
)

// Save writes the model to path: a directory holding model.json (the
// architecture, compile settings, trainable flags, class names,
// preprocessing, metrics and provenance) and weights.safetensors (the
// weights by "<layer>/<weight>" name, a nested model's under "<model>/"),
// or, when path ends in ".zip", a zip of those files. Every file is
// written to a new directory beside path (or a temporary zip) and switched
// into place in one step, so after a crash path holds the complete old model
// or the complete new one; model.json records the weights' SHA-256.
// Load reads it back.
func (f *Functional) Save(path string) error {
	return f.save(path, nil)
}

// SaveCheckpoint saves the model as Save does, plus the optimizer's state
// (optimizer.safetensors) and where the training run stands, so that Load
// and Fit from that position continue the run bit for bit.
func (f *Functional) SaveCheckpoint(path string, at Checkpoint) error {
	return f.save(path, &at)
}

func (f *Functional) save(path string, ckpt *Checkpoint) error {
	files, err := f.encode(ckpt)
	if err != nil {
		return errors.Wrapf(err, "save %s", path)
	}
	return writeModelFiles(path, files)
}

// writeModelFiles writes a saved model's files to path, a directory or,
// when path ends in ".zip", a zip, each atomically.
func writeModelFiles(path string, files map[string][]byte) error {
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range []string{weightsFile, optimizerFile, modelFile} {
			data, ok := files[name]
			if !ok {
				continue
			}
			w, err := zw.Create(name)
			if err != nil {
				return errors.Wrapf(err, "save %s", path)
			}
			if _, err := w.Write(data); err != nil {
				return errors.Wrapf(err, "save %s", path)
			}
		}
		if err := zw.Close(); err != nil {
			return errors.Wrapf(err, "save %s", path)
		}
		return errors.Wrap(atomicfile.WriteFile(path, buf.Bytes(), 0o644), "save")
	}
	// The whole directory is written beside path and switched into place
	// in one step: after a crash path holds the old model or the new one.
	err := atomicfile.WriteDir(path, isModelFile, func(dir string) error {
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	return errors.Wrap(err, "save")
}

// isModelFile says whether a file of a model directory is the model's own;
// Save keeps the others (a user's notes) in place.
func isModelFile(name string) bool {
	return name == modelFile || name == weightsFile || name == optimizerFile
}

// encode returns the bytes of every file of the saved model. A
// Sequential's model.json lists its layers; other models' hold their
// graph.
func (f *Functional) encode(ckpt *Checkpoint) (map[string][]byte, error) {
	if !f.built {
		return nil, errors.New("the model is not built: build, compile with a layers.Input, or fit it first")
	}
	meta := savedMeta{
		Name: f.Name, DType: f.dtype.String(), Seed: f.cfg.Seed,
		ClassNames: f.ClassNames, Tabular: f.Tabular,
		Metrics: f.scores, Notes: f.Notes, Provenance: provenance(f.dataHash),
	}
	if f.Preprocessing != nil {
		pp, err := datasets.MarshalTransformer(f.Preprocessing)
		if err != nil {
			return nil, err
		}
		meta.Preprocessing = pp
	}
	if f.compiled {
		c, err := compileSpec(f.cfg)
		if err != nil {
			return nil, errors.Wrap(err, "compile settings")
		}
		meta.Compile = c
	}
	files := map[string][]byte{}
	var ts []safetensors.Tensor
	for _, nw := range f.namedWeights() {
		ts = append(ts, safetensors.Tensor{Name: nw.key, Value: nw.w.Value})
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, map[string]string{"format": "profundo"}); err != nil {
		return nil, errors.Wrap(err, "weights")
	}
	files[weightsFile] = buf.Bytes()
	meta.Weights = &filesJSON{WeightsSHA256: sha(buf.Bytes())}
	if ckpt != nil {
		data, err := f.encodeOptimizer()
		if err != nil {
			return nil, err
		}
		files[optimizerFile] = data
		meta.Weights.OptimizerSHA256 = sha(data)
		meta.Checkpoint = ckpt
	}
	var doc any
	if sd, ok := f.sequentialDoc(meta); ok {
		doc = sd
	} else {
		g, err := f.graphSpec()
		if err != nil {
			return nil, err
		}
		doc = functionalJSON{Format: formatName, FormatVersion: formatVersion, Class: functionalClass, Graph: g, savedMeta: meta}
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, errors.Wrap(err, "model.json")
	}
	files[modelFile] = append(js, '\n')
	return files, nil
}

// sequentialDoc is a Sequential's model.json: its layers in order, when
// each is a plain layer (a nested model makes it a graph).
func (f *Functional) sequentialDoc(meta savedMeta) (*modelJSON, bool) {
	if f.seq == nil {
		return nil, false
	}
	doc := &modelJSON{
		Format: formatName, FormatVersion: formatVersion,
		Name: meta.Name, DType: meta.DType, Seed: meta.Seed,
		InputShape: f.inputs[0].shape.Clone(), Compile: meta.Compile, ClassNames: meta.ClassNames,
		Preprocessing: meta.Preprocessing, Tabular: meta.Tabular, Metrics: meta.Metrics, Notes: meta.Notes,
		Provenance: meta.Provenance, Weights: meta.Weights, Checkpoint: meta.Checkpoint,
	}
	for i, l := range f.seq.layers {
		if _, nested := l.(*Functional); nested {
			return nil, false
		}
		spec, err := layers.Marshal(l)
		if err != nil {
			return nil, false
		}
		doc.Layers = append(doc.Layers, spec)
		if f.frozen[l] {
			doc.Frozen = append(doc.Frozen, i)
		}
	}
	return doc, true
}

// encodeOptimizer writes the solver's state: its step count and learning
// rate as metadata, each slot as "<weight>/<slot>".
func (f *Functional) encodeOptimizer() ([]byte, error) {
	if !f.compiled {
		return nil, errors.New("checkpoint: the model is not compiled")
	}
	st, ok := f.solver.(optimizers.Stateful)
	if !ok {
		return nil, errors.Errorf("checkpoint: optimizer %s cannot save its state", f.cfg.Optimizer.Name())
	}
	state := st.State()
	ws := f.trainedNamed()
	if len(state.Slots) != 0 && len(state.Slots) != len(ws) {
		return nil, errors.Errorf("checkpoint: optimizer holds state for %d weights, the model trains %d", len(state.Slots), len(ws))
	}
	var tensors []safetensors.Tensor
	for i, slots := range state.Slots {
		for k, t := range slots {
			tensors = append(tensors, safetensors.Tensor{Name: fmt.Sprintf("%s/%d", ws[i].key, k), Value: t})
		}
	}
	md := map[string]string{
		"optimizer":     f.cfg.Optimizer.Name(),
		"steps":         fmt.Sprint(state.Steps),
		"learning_rate": fmt.Sprint(state.LearningRate),
		"weights":       fmt.Sprint(len(state.Slots)),
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, md); err != nil {
		return nil, errors.Wrap(err, "optimizer state")
	}
	return buf.Bytes(), nil
}

// trainedNamed lists the weights this model's training updates, with
// their names, in the order the solver's state holds them.
func (f *Functional) trainedNamed() []namedWeight {
	var out []namedWeight
	for _, nw := range f.namedWeights() {
		if nw.w.Trainable && !nw.frozen {
			out = append(out, nw)
		}
	}
	return out
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// dataSHA256 hashes training data: the bytes of the inputs' then the
// targets' values.
func dataSHA256(ts ...*tensor.Dense) string {
	h := sha256.New()
	for _, t := range ts {
		h.Write(t.Header.Raw)
	}
	return hex.EncodeToString(h.Sum(nil))
}
