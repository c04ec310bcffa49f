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
// architecture, compile settings, class names, metrics and provenance) and
// weights.safetensors (the weights by "<layer>/<weight>" name), or, when
// path ends in ".zip", a zip of those files. Every file is written to a
// new directory beside path (or a temporary zip) and switched into place in
// one step, so after a crash path holds the complete old model or the
// complete new one; model.json records the weights' SHA-256.
func (s *Sequential) Save(path string) error {
	return s.save(path, nil)
}

// SaveCheckpoint saves the model as Save does, plus the optimizer's state
// (optimizer.safetensors) and where the training run stands, so that Load
// and Fit from that position continue the run bit for bit.
func (s *Sequential) SaveCheckpoint(path string, at Checkpoint) error {
	return s.save(path, &at)
}

func (s *Sequential) save(path string, ckpt *Checkpoint) error {
	files, err := s.encode(ckpt)
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

// encode returns the bytes of every file of the saved model.
func (s *Sequential) encode(ckpt *Checkpoint) (map[string][]byte, error) {
	if !s.built {
		return nil, errors.New("the model is not built: build, compile with a layers.Input, or fit it first")
	}
	doc := modelJSON{
		Format: formatName, FormatVersion: formatVersion,
		Name: s.Name, DType: s.cfg.dtype().String(), Seed: s.cfg.Seed,
		InputShape: s.in.Clone(), ClassNames: s.ClassNames, Tabular: s.Tabular,
		Metrics: s.scores, Notes: s.Notes, Provenance: provenance(s.dataHash),
	}
	if s.Preprocessing != nil {
		pp, err := datasets.MarshalTransformer(s.Preprocessing)
		if err != nil {
			return nil, err
		}
		doc.Preprocessing = pp
	}
	for _, l := range s.layers {
		spec, err := layers.Marshal(l)
		if err != nil {
			return nil, err
		}
		doc.Layers = append(doc.Layers, spec)
	}
	if s.compiled {
		c, err := compileSpec(s.cfg)
		if err != nil {
			return nil, errors.Wrap(err, "compile settings")
		}
		doc.Compile = c
	}
	files := map[string][]byte{}
	var tensors []safetensors.Tensor
	for _, w := range s.Weights() {
		tensors = append(tensors, safetensors.Tensor{Name: w.Name, Value: w.Value})
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, map[string]string{"format": "profundo"}); err != nil {
		return nil, errors.Wrap(err, "weights")
	}
	files[weightsFile] = buf.Bytes()
	doc.Weights = &filesJSON{WeightsSHA256: sha(buf.Bytes())}
	if ckpt != nil {
		data, err := s.encodeOptimizer()
		if err != nil {
			return nil, err
		}
		files[optimizerFile] = data
		doc.Weights.OptimizerSHA256 = sha(data)
		doc.Checkpoint = ckpt
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, errors.Wrap(err, "model.json")
	}
	files[modelFile] = append(js, '\n')
	return files, nil
}

// encodeOptimizer writes the solver's state: its step count and learning
// rate as metadata, each slot as "<weight>/<slot>".
func (s *Sequential) encodeOptimizer() ([]byte, error) {
	if !s.compiled {
		return nil, errors.New("checkpoint: the model is not compiled")
	}
	st, ok := s.solver.(optimizers.Stateful)
	if !ok {
		return nil, errors.Errorf("checkpoint: optimizer %s cannot save its state", s.cfg.Optimizer.Name())
	}
	state := st.State()
	ws := trainable(s.Weights())
	if len(state.Slots) != 0 && len(state.Slots) != len(ws) {
		return nil, errors.Errorf("checkpoint: optimizer holds state for %d weights, the model trains %d", len(state.Slots), len(ws))
	}
	var tensors []safetensors.Tensor
	for i, slots := range state.Slots {
		for k, t := range slots {
			tensors = append(tensors, safetensors.Tensor{Name: fmt.Sprintf("%s/%d", ws[i].Name, k), Value: t})
		}
	}
	md := map[string]string{
		"optimizer":     s.cfg.Optimizer.Name(),
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

// trainable lists the trainable weights, in the order the training graph
// hands them to the solver.
func trainable(ws []*layers.Weight) []*layers.Weight {
	var out []*layers.Weight
	for _, w := range ws {
		if w.Trainable {
			out = append(out, w)
		}
	}
	return out
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// dataSHA256 hashes training data: the bytes of x's then y's values.
func dataSHA256(x, y *tensor.Dense) string {
	h := sha256.New()
	for _, t := range []*tensor.Dense{x, y} {
		h.Write(t.Header.Raw)
	}
	return hex.EncodeToString(h.Sum(nil))
}
