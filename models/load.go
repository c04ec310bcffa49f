package models

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

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

// Load reads any model Save or SaveCheckpoint wrote, a directory or a zip:
// built, with its weights and trainable flags, compiled when it was, ready
// to predict, to go on training, or to nest in a new model. A checkpoint
// also restores the optimizer's state; Checkpoint says where the run
// stood. A saved Sequential comes back as one (Sequential() gives it). A
// corrupt, truncated or foreign file is an error saying what is wrong.
func Load(path string) (*Functional, error) {
	return LoadWith(path, LoadOptions{})
}

// LoadFS reads a model saved as a directory from a file system: an
// embed.FS compiled into the program, for one binary that needs no files
// beside it.
//
//	//go:embed model
//	var modelFS embed.FS
//	m, err := models.LoadFS(modelFS, "model", models.LoadOptions{})
func LoadFS(fsys fs.FS, dir string, opt LoadOptions) (*Functional, error) {
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
func LoadWith(path string, opt LoadOptions) (*Functional, error) {
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
// without weights, at least {"layers": [...]} for a Sequential (or a
// functional model's {"class": "functional", "graph": ...}), optionally
// "input_shape", "dtype", "seed" and "compile". With an input shape the
// model builds (from the seed); with "compile" it is compiled.
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
func FromSpec(r io.Reader, opt LoadOptions) (*Functional, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, errors.Wrap(err, "model spec")
	}
	name := "model spec"
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		name = n.Name() // a file
	}
	m, err := decodeModel(map[string][]byte{modelFile: data}, opt, false, name)
	if err != nil {
		if name == "model spec" {
			return nil, errors.Wrap(err, name)
		}
		return nil, err
	}
	return m, nil
}

// Checkpoint returns where the training run stood when the model was saved
// with SaveCheckpoint, and nil for a model saved with Save.
func (f *Functional) Checkpoint() *Checkpoint { return f.checkpoint }

// Sequential returns the Sequential this model is the graph of (a model
// made, or saved, as one), and nil for other models.
func (f *Functional) Sequential() *Sequential { return f.seq }

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
func parseModelJSON(data []byte, saved bool, name string) (*modelJSON, error) {
	var class struct {
		Class string `json:"class"`
	}
	_ = json.Unmarshal(data, &class)
	var doc modelJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(err, data, name)
	}
	if doc.Format != "" && doc.Format != formatName {
		return nil, errors.Errorf("%s: format is %q, not %q", name, doc.Format, formatName)
	}
	if saved && doc.Format == "" {
		return nil, errors.Errorf("%s: no format field: not a Profundo model", name)
	}
	if doc.FormatVersion > formatVersion {
		return nil, errors.Errorf("%s: format version %d is newer than this Profundo reads (%d): upgrade Profundo", name, doc.FormatVersion, formatVersion)
	}
	if saved && doc.FormatVersion < 1 {
		return nil, errors.Errorf("%s: format version %d is invalid", name, doc.FormatVersion)
	}
	if len(doc.Layers) == 0 {
		return nil, errors.Errorf("%s: no layers", name)
	}
	return &doc, nil
}

// unmarshalLayer makes the layer a spec describes, of a kind of package
// layers or one opt.Layers makes; an unknown kind is an error that says how
// to make layers of one's own.
func unmarshalLayer(spec layers.Spec, opt LoadOptions) (layers.Layer, error) {
	custom := false
	if opt.Layers != nil {
		_, custom = opt.Layers(spec.Kind)
	}
	if !custom {
		if _, err := layers.New(spec.Kind); err != nil {
			return nil, errors.Errorf("unknown layer kind %q: a layer of one's own loads when models.LoadOptions.Layers (given to LoadWith, LoadFS or FromSpec) makes a new value of its kind; the kinds built in are %s",
				spec.Kind, strings.Join(layers.Kinds(), ", "))
		}
	}
	return layers.Unmarshal(spec, opt.Layers)
}

// sequentialOf makes the Sequential of the given layers, frozen ones
// marked.
func sequentialOf(specs []layers.Spec, frozen []int, opt LoadOptions) (*Sequential, error) {
	s := NewSequential()
	for i, spec := range specs {
		l, err := unmarshalLayer(spec, opt)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %d", i)
		}
		s.layers = append(s.layers, l)
	}
	for _, i := range frozen {
		if i < 0 || i >= len(s.layers) {
			return nil, errors.Errorf("frozen layer %d of %d", i, len(s.layers))
		}
		if err := s.SetTrainable(s.layers[i], false); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// decodeModel makes the model of a saved model's files (saved: with its
// weights, and its optimizer state for a checkpoint) or of a hand-written
// spec (model.json alone).
func decodeModel(files map[string][]byte, opt LoadOptions, saved bool, name string) (*Functional, error) {
	js, ok := files[modelFile]
	if !ok {
		return nil, errors.Errorf("no %s", name)
	}
	var head struct {
		Class string `json:"class"`
	}
	_ = json.Unmarshal(js, &head)
	var f *Functional
	var meta savedMeta
	var inputShape []int
	if head.Class == functionalClass {
		var doc functionalJSON
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			return nil, jsonError(err, js, name)
		}
		if (saved || doc.Format != "") && doc.Format != formatName {
			return nil, errors.Errorf("%s: format is %q, not %q", name, doc.Format, formatName)
		}
		if doc.FormatVersion > formatVersion {
			return nil, errors.Errorf("%s: format version %d is newer than this Profundo reads (%d): upgrade Profundo", name, doc.FormatVersion, formatVersion)
		}
		if saved && doc.FormatVersion < 1 {
			return nil, errors.Errorf("%s: format version %d is invalid", name, doc.FormatVersion)
		}
		var err error
		if f, err = fromGraphSpec(doc.Graph, opt); err != nil {
			return nil, errors.Wrap(err, name)
		}
		meta = doc.savedMeta
		if meta.Name == "" {
			meta.Name = f.Name
		}
	} else {
		doc, err := parseModelJSON(js, saved, name)
		if err != nil {
			return nil, err
		}
		if saved && len(doc.InputShape) == 0 {
			return nil, errors.Errorf("%s: no input_shape", name)
		}
		s, err := sequentialOf(doc.Layers, doc.Frozen, opt)
		if err != nil {
			return nil, err
		}
		f, inputShape = &s.Functional, doc.InputShape
		meta = savedMeta{
			Name: doc.Name, DType: doc.DType, Seed: doc.Seed, Compile: doc.Compile, ClassNames: doc.ClassNames,
			Preprocessing: doc.Preprocessing, Tabular: doc.Tabular, Metrics: doc.Metrics, Notes: doc.Notes,
			Provenance: doc.Provenance, Weights: doc.Weights, Checkpoint: doc.Checkpoint,
		}
	}
	if saved && meta.Weights == nil {
		return nil, errors.Errorf("%s: no weights record", name)
	}
	f.Name, f.ClassNames, f.Tabular, f.Notes = meta.Name, meta.ClassNames, meta.Tabular, meta.Notes
	if len(meta.Preprocessing) > 0 {
		pp, err := datasets.UnmarshalTransformer(meta.Preprocessing)
		if err != nil {
			return nil, errors.Wrap(err, "preprocessing")
		}
		f.Preprocessing = pp
	}
	f.cfg.Seed = meta.Seed
	switch meta.DType {
	case "", "float32":
		f.cfg.DType = tensor.Float32
	case "float64":
		f.cfg.DType = tensor.Float64
	default:
		return nil, errors.Errorf("dtype %q is not float32 or float64", meta.DType)
	}
	if len(inputShape) > 0 {
		if err := f.defineFor([]layers.Shape{inputShape}); err != nil {
			return nil, err
		}
	}
	if meta.Compile != nil {
		cfg, err := meta.Compile.config()
		if err != nil {
			return nil, err
		}
		cfg.Seed, cfg.DType = f.cfg.Seed, f.cfg.DType
		if err := f.Compile(cfg); err != nil {
			return nil, err
		}
	}
	if !f.built && f.inputs != nil {
		if err := f.build(rand.New(rand.NewSource(f.cfg.Seed)), f.cfg.dtype()); err != nil {
			return nil, err
		}
	}
	if !saved {
		return f, nil
	}
	f.scores, f.checkpoint = meta.Metrics, meta.Checkpoint
	if meta.Provenance != nil {
		f.dataHash = meta.Provenance.DataSHA256
	}
	wdata, ok := files[weightsFile]
	if !ok {
		return nil, errors.Errorf("no %s", weightsFile)
	}
	if got := sha(wdata); got != meta.Weights.WeightsSHA256 {
		return nil, errors.Errorf("%s has SHA-256 %s, %s expects %s: the save was cut short or the files come from different saves", weightsFile, got, modelFile, meta.Weights.WeightsSHA256)
	}
	if err := f.setWeights(wdata); err != nil {
		return nil, errors.Wrap(err, weightsFile)
	}
	if meta.Checkpoint != nil {
		odata, ok := files[optimizerFile]
		if !ok {
			return nil, errors.Errorf("checkpoint without %s", optimizerFile)
		}
		if got := sha(odata); got != meta.Weights.OptimizerSHA256 {
			return nil, errors.Errorf("%s has SHA-256 %s, %s expects %s", optimizerFile, got, modelFile, meta.Weights.OptimizerSHA256)
		}
		if err := f.setOptimizer(odata); err != nil {
			return nil, errors.Wrap(err, optimizerFile)
		}
	}
	return f, nil
}

func decode(files map[string][]byte, opt LoadOptions) (*Functional, error) {
	return decodeModel(files, opt, true, modelFile)
}

// jsonError says where in the file called name the JSON in data is wrong:
// its line and column, as editors count them.
func jsonError(err error, data []byte, name string) error {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = max(syn.Offset-1, 0) // the offset counts the faulty byte
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.Errorf("%s: the JSON ends early", name)
		}
		return errors.Wrap(err, name)
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return errors.Errorf("%s:%d:%d: %v", name, line, col, err)
}

// setWeights copies the file's tensors into the built model's weights,
// checking that every weight is there with its shape and nothing else is.
func (f *Functional) setWeights(data []byte) error {
	wf, err := safetensors.Read(data)
	if err != nil {
		return err
	}
	nws := f.namedWeights()
	if len(wf.Tensors) != len(nws) {
		return errors.Errorf("holds %d tensors, the architecture has %d weights", len(wf.Tensors), len(nws))
	}
	for _, nw := range nws {
		t, ok := wf.Get(nw.key)
		if !ok {
			return errors.Errorf("no tensor %q", nw.key)
		}
		if err := copyInto(nw.w.Value, t, nw.key); err != nil {
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

func (f *Functional) setOptimizer(data []byte) error {
	sf, err := safetensors.Read(data)
	if err != nil {
		return err
	}
	if !f.compiled {
		return errors.New("a checkpoint needs compile settings")
	}
	st, ok := f.solver.(optimizers.Stateful)
	if !ok {
		return errors.Errorf("optimizer %s cannot restore its state", f.cfg.Optimizer.Name())
	}
	if name := sf.Metadata["optimizer"]; name != f.cfg.Optimizer.Name() {
		return errors.Errorf("state is for optimizer %q, the model is compiled with %q", name, f.cfg.Optimizer.Name())
	}
	steps, err1 := strconv.Atoi(sf.Metadata["steps"])
	lr, err2 := strconv.ParseFloat(sf.Metadata["learning_rate"], 64)
	n, err3 := strconv.Atoi(sf.Metadata["weights"])
	if err1 != nil || err2 != nil || err3 != nil {
		return errors.Errorf("bad metadata %v", sf.Metadata)
	}
	state := optimizers.State{Steps: steps, LearningRate: lr}
	ws := f.trainedNamed()
	if n != 0 && n != len(ws) {
		return errors.Errorf("state for %d weights, the model trains %d", n, len(ws))
	}
	used := 0
	for i := 0; i < n; i++ {
		var slots []*tensor.Dense
		for k := 0; ; k++ {
			t, ok := sf.Get(fmt.Sprintf("%s/%d", ws[i].key, k))
			if !ok {
				break
			}
			slots = append(slots, t)
			used++
		}
		state.Slots = append(state.Slots, slots)
	}
	if used != len(sf.Tensors) {
		return errors.Errorf("%d of its %d tensors name no trainable weight", len(sf.Tensors)-used, len(sf.Tensors))
	}
	return st.SetState(state)
}
