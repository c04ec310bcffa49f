package models

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/atomicfile"
	"github.com/profundo/profundo/internal/safetensors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/optimizers"
)

// maxFile bounds what Load reads of one file of a saved model (4 GiB).
const maxFile = 4 << 30

// LoadOptions tunes Load. The zero value loads this package's layers.
type LoadOptions struct {
	// Layers makes layers of kinds the layers package does not know (a
	// user's own layers); nil means none.
	Layers func(kind string) (layers.Layer, bool)
}

// Load reads a model Save or SaveCheckpoint wrote, a directory or a zip:
// built, with its weights, compiled when it was, ready to predict or to go
// on training. A checkpoint also restores the optimizer's state; Checkpoint
// says where the run stood. A corrupt, truncated or foreign file is an error
// saying what is wrong.
func Load(path string) (*Sequential, error) {
	return LoadWith(path, LoadOptions{})
}

// LoadFS reads a model saved as a directory from a file system: an
// embed.FS compiled into the program, for one binary that needs no files
// beside it.
//
//	//go:embed model
//	var modelFS embed.FS
//	m, err := models.LoadFS(modelFS, "model", models.LoadOptions{})
func LoadFS(fsys fs.FS, dir string, opt LoadOptions) (*Sequential, error) {
	files := map[string][]byte{}
	for _, name := range []string{modelFile, weightsFile, optimizerFile} {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, errors.Wrapf(err, "load %s", dir)
		}
		files[name] = data
	}
	m, err := decode(files, opt)
	if err != nil {
		return nil, errors.Wrapf(err, "load %s", dir)
	}
	return m, nil
}

// LoadWith is Load with options.
func LoadWith(path string, opt LoadOptions) (*Sequential, error) {
	files, err := readFiles(path)
	if err != nil {
		return nil, errors.Wrapf(err, "load %s", path)
	}
	m, err := decode(files, opt)
	if err != nil {
		return nil, errors.Wrapf(err, "load %s", path)
	}
	return m, nil
}

// FromSpec makes a model from a hand-written spec: model.json's format
// without weights, at least {"layers": [...]}, optionally "input_shape",
// "dtype", "seed" and "compile". With an input shape the model builds (from
// the seed); with "compile" it is compiled.
//
//	{
//	  "input_shape": [64],
//	  "layers": [
//	    {"kind": "dense", "config": {"units": 64, "activation": "relu"}},
//	    {"kind": "dropout", "config": {"rate": 0.2}},
//	    {"kind": "dense", "config": {"units": 10, "activation": "softmax"}}
//	  ],
//	  "compile": {"loss": {"kind": "sparse_categorical_crossentropy"}, "optimizer": {"kind": "adam"}}
//	}
func FromSpec(r io.Reader, opt LoadOptions) (*Sequential, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, errors.Wrap(err, "model spec")
	}
	doc, err := parseModelJSON(data, false)
	if err != nil {
		return nil, errors.Wrap(err, "model spec")
	}
	m, err := fromDoc(doc, opt)
	if err != nil {
		return nil, errors.Wrap(err, "model spec")
	}
	return m, nil
}

// Checkpoint returns where the training run stood when the model was saved
// with SaveCheckpoint, and nil for a model saved with Save.
func (s *Sequential) Checkpoint() *Checkpoint { return s.checkpoint }

// readFiles returns the files of a saved model, from a directory or a zip.
func readFiles(path string) (map[string][]byte, error) {
	// A save cut short by a crash may have left the complete model beside
	// a missing path.
	path, err := atomicfile.ReadDir(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	names := []string{modelFile, weightsFile, optimizerFile}
	if fi.IsDir() {
		for _, name := range names {
			f, err := os.Open(filepath.Join(path, name))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(io.LimitReader(f, maxFile))
			f.Close()
			if err != nil {
				return nil, errors.Wrap(err, name)
			}
			files[name] = data
		}
		return files, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, errors.Wrap(err, "not a model directory or zip")
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != modelFile && f.Name != weightsFile && f.Name != optimizerFile {
			continue
		}
		if f.UncompressedSize64 > maxFile {
			return nil, errors.Errorf("%s is %d bytes, over the %d byte limit", f.Name, f.UncompressedSize64, maxFile)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, errors.Wrap(err, f.Name)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxFile))
		rc.Close()
		if err != nil {
			return nil, errors.Wrap(err, f.Name)
		}
		files[f.Name] = data
	}
	return files, nil
}

// parseModelJSON decodes model.json, strictly. A saved model must carry the
// format name and a version this package reads; a hand-written spec may
// leave them out.
func parseModelJSON(data []byte, saved bool) (*modelJSON, error) {
	var class struct {
		Class string `json:"class"`
	}
	if json.Unmarshal(data, &class) == nil && class.Class == functionalClass {
		return nil, errors.Errorf("%s is a functional model's: load it with LoadFunctional", modelFile)
	}
	var doc modelJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, errors.Wrap(err, modelFile)
	}
	if doc.Format != "" && doc.Format != formatName {
		return nil, errors.Errorf("%s: format is %q, not %q", modelFile, doc.Format, formatName)
	}
	if saved && doc.Format == "" {
		return nil, errors.Errorf("%s: no format field: not a Profundo model", modelFile)
	}
	if doc.FormatVersion > formatVersion {
		return nil, errors.Errorf("%s: format version %d is newer than this Profundo reads (%d): upgrade Profundo", modelFile, doc.FormatVersion, formatVersion)
	}
	if saved && doc.FormatVersion < 1 {
		return nil, errors.Errorf("%s: format version %d is invalid", modelFile, doc.FormatVersion)
	}
	if len(doc.Layers) == 0 {
		return nil, errors.Errorf("%s: no layers", modelFile)
	}
	return &doc, nil
}

// fromDoc makes the model model.json describes, built when the input shape
// is known and compiled when it says so.
func fromDoc(doc *modelJSON, opt LoadOptions) (*Sequential, error) {
	m := &Sequential{Name: doc.Name, ClassNames: doc.ClassNames, Tabular: doc.Tabular, Notes: doc.Notes}
	if len(doc.Preprocessing) > 0 {
		pp, err := datasets.UnmarshalTransformer(doc.Preprocessing)
		if err != nil {
			return nil, errors.Wrap(err, "preprocessing")
		}
		m.Preprocessing = pp
	}
	for i, spec := range doc.Layers {
		l, err := layers.Unmarshal(spec, opt.Layers)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %d", i)
		}
		m.layers = append(m.layers, l)
	}
	m.cfg.Seed = doc.Seed
	switch doc.DType {
	case "", "float32":
		m.cfg.DType = tensor.Float32
	case "float64":
		m.cfg.DType = tensor.Float64
	default:
		return nil, errors.Errorf("dtype %q is not float32 or float64", doc.DType)
	}
	if doc.Compile != nil {
		cfg, err := doc.Compile.config()
		if err != nil {
			return nil, err
		}
		cfg.Seed, cfg.DType = m.cfg.Seed, m.cfg.DType
		if err := m.Compile(cfg); err != nil {
			return nil, err
		}
	}
	if !m.built && len(doc.InputShape) > 0 {
		if err := m.Build(doc.InputShape); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func decode(files map[string][]byte, opt LoadOptions) (*Sequential, error) {
	js, ok := files[modelFile]
	if !ok {
		return nil, errors.Errorf("no %s", modelFile)
	}
	doc, err := parseModelJSON(js, true)
	if err != nil {
		return nil, err
	}
	if len(doc.InputShape) == 0 {
		return nil, errors.Errorf("%s: no input_shape", modelFile)
	}
	if doc.Weights == nil {
		return nil, errors.Errorf("%s: no weights record", modelFile)
	}
	m, err := fromDoc(doc, opt)
	if err != nil {
		return nil, err
	}
	m.scores, m.checkpoint = doc.Metrics, doc.Checkpoint
	if doc.Provenance != nil {
		m.dataHash = doc.Provenance.DataSHA256
	}
	wdata, ok := files[weightsFile]
	if !ok {
		return nil, errors.Errorf("no %s", weightsFile)
	}
	if got := sha(wdata); got != doc.Weights.WeightsSHA256 {
		return nil, errors.Errorf("%s has SHA-256 %s, %s expects %s: the save was cut short or the files come from different saves", weightsFile, got, modelFile, doc.Weights.WeightsSHA256)
	}
	if err := m.setWeights(wdata); err != nil {
		return nil, errors.Wrap(err, weightsFile)
	}
	if doc.Checkpoint != nil {
		odata, ok := files[optimizerFile]
		if !ok {
			return nil, errors.Errorf("checkpoint without %s", optimizerFile)
		}
		if got := sha(odata); got != doc.Weights.OptimizerSHA256 {
			return nil, errors.Errorf("%s has SHA-256 %s, %s expects %s", optimizerFile, got, modelFile, doc.Weights.OptimizerSHA256)
		}
		if err := m.setOptimizer(odata); err != nil {
			return nil, errors.Wrap(err, optimizerFile)
		}
	}
	return m, nil
}

// setWeights copies the file's tensors into the built model's weights,
// checking that every weight is there with its shape and nothing else is.
func (s *Sequential) setWeights(data []byte) error {
	f, err := safetensors.Read(data)
	if err != nil {
		return err
	}
	ws := s.Weights()
	if len(f.Tensors) != len(ws) {
		return errors.Errorf("holds %d tensors, the architecture has %d weights", len(f.Tensors), len(ws))
	}
	for _, w := range ws {
		t, ok := f.Get(w.Name)
		if !ok {
			return errors.Errorf("no tensor %q", w.Name)
		}
		if err := copyInto(w.Value, t, w.Name); err != nil {
			return err
		}
	}
	return nil
}

func copyInto(dst, src *tensor.Dense, name string) error {
	if !dst.Shape().Eq(src.Shape()) || len(dst.Shape()) != len(src.Shape()) {
		return errors.Errorf("%q has shape %v, the architecture needs %v", name, src.Shape(), dst.Shape())
	}
	if dst.Dtype() != src.Dtype() {
		return errors.Errorf("%q is %v, the model is %v", name, src.Dtype(), dst.Dtype())
	}
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src.Data().([]float32))
	case []float64:
		copy(d, src.Data().([]float64))
	}
	return nil
}

func (s *Sequential) setOptimizer(data []byte) error {
	f, err := safetensors.Read(data)
	if err != nil {
		return err
	}
	if !s.compiled {
		return errors.New("a checkpoint needs compile settings")
	}
	st, ok := s.solver.(optimizers.Stateful)
	if !ok {
		return errors.Errorf("optimizer %s cannot restore its state", s.cfg.Optimizer.Name())
	}
	if name := f.Metadata["optimizer"]; name != s.cfg.Optimizer.Name() {
		return errors.Errorf("state is for optimizer %q, the model is compiled with %q", name, s.cfg.Optimizer.Name())
	}
	steps, err1 := strconv.Atoi(f.Metadata["steps"])
	lr, err2 := strconv.ParseFloat(f.Metadata["learning_rate"], 64)
	n, err3 := strconv.Atoi(f.Metadata["weights"])
	if err1 != nil || err2 != nil || err3 != nil {
		return errors.Errorf("bad metadata %v", f.Metadata)
	}
	state := optimizers.State{Steps: steps, LearningRate: lr}
	ws := trainable(s.Weights())
	if n != 0 && n != len(ws) {
		return errors.Errorf("state for %d weights, the model trains %d", n, len(ws))
	}
	used := 0
	for i := 0; i < n; i++ {
		var slots []*tensor.Dense
		for k := 0; ; k++ {
			t, ok := f.Get(fmt.Sprintf("%s/%d", ws[i].Name, k))
			if !ok {
				break
			}
			slots = append(slots, t)
			used++
		}
		state.Slots = append(state.Slots, slots)
	}
	if used != len(f.Tensors) {
		return errors.Errorf("%d of its %d tensors name no trainable weight", len(f.Tensors)-used, len(f.Tensors))
	}
	return st.SetState(state)
}
