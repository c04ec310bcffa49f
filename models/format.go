package models

import (
	"bytes"
	"encoding/json"
	"reflect"
	"runtime"
	"runtime/debug"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/optimizers"
)

// The model file format. A saved model is a directory (or a zip of one)
// holding model.json, this structure, and weights.safetensors, the weights
// by "<layer>/<weight>" name; a checkpoint adds optimizer.safetensors.
const (
	formatName    = "profundo-model"
	formatVersion = 1

	modelFile     = "model.json"
	weightsFile   = "weights.safetensors"
	optimizerFile = "optimizer.safetensors"
)

// modelJSON is model.json. A hand-written model spec is the same document
// with only "layers" (and optionally "input_shape", "dtype", "seed" and
// "compile").
type modelJSON struct {
	Format        string             `json:"format"`
	FormatVersion int                `json:"format_version"`
	Name          string             `json:"name,omitempty"`
	DType         string             `json:"dtype,omitempty"`
	Seed          int64              `json:"seed"`
	InputShape    []int              `json:"input_shape,omitempty"`
	Layers        []layers.Spec      `json:"layers"`
	Compile       *compileJSON       `json:"compile,omitempty"`
	ClassNames    []string           `json:"class_names,omitempty"`
	Preprocessing json.RawMessage    `json:"preprocessing,omitempty"`
	Tabular       *datasets.Tabular  `json:"tabular,omitempty"`
	Metrics       map[string]float64 `json:"metrics,omitempty"`
	Notes         map[string]string  `json:"notes,omitempty"`
	Provenance    *Provenance        `json:"provenance,omitempty"`
	Weights       *filesJSON         `json:"weights,omitempty"`
	Checkpoint    *Checkpoint        `json:"checkpoint,omitempty"`
	// Frozen lists the layers (by index) the model does not train.
	Frozen []int `json:"frozen,omitempty"`
}

// savedMeta is what model.json holds beside the architecture, for every
// model.
type savedMeta struct {
	Name          string             `json:"name,omitempty"`
	DType         string             `json:"dtype"`
	Seed          int64              `json:"seed"`
	Compile       *compileJSON       `json:"compile,omitempty"`
	ClassNames    []string           `json:"class_names,omitempty"`
	Preprocessing json.RawMessage    `json:"preprocessing,omitempty"`
	Tabular       *datasets.Tabular  `json:"tabular,omitempty"`
	Metrics       map[string]float64 `json:"metrics,omitempty"`
	Notes         map[string]string  `json:"notes,omitempty"`
	Provenance    *Provenance        `json:"provenance,omitempty"`
	Weights       *filesJSON         `json:"weights"`
	Checkpoint    *Checkpoint        `json:"checkpoint,omitempty"`
}

type compileJSON struct {
	Loss      valueSpec   `json:"loss"`
	Optimizer valueSpec   `json:"optimizer"`
	Metrics   []valueSpec `json:"metrics,omitempty"`
	BatchSize int         `json:"batch_size,omitempty"`
	// A functional model's per-output settings, by output name.
	Losses        map[string]valueSpec   `json:"losses,omitempty"`
	LossWeights   map[string]float64     `json:"loss_weights,omitempty"`
	OutputMetrics map[string][]valueSpec `json:"output_metrics,omitempty"`
}

// valueSpec is a loss, optimizer or metric: its name and its fields.
type valueSpec struct {
	Kind   string          `json:"kind"`
	Config json.RawMessage `json:"config,omitempty"`
}

// filesJSON records the SHA-256 of the files saved beside model.json, so a
// save that was interrupted between files, or files mixed from two saves,
// are caught at load.
type filesJSON struct {
	WeightsSHA256   string `json:"weights_sha256"`
	OptimizerSHA256 string `json:"optimizer_sha256,omitempty"`
}

// Provenance records where a saved model came from.
type Provenance struct {
	// ProfundoVersion is the version of the Profundo module that saved the
	// model, "(devel)" for a build from a checkout.
	ProfundoVersion string `json:"profundo_version"`
	// GoVersion is the Go release that built the program.
	GoVersion string `json:"go_version"`
	// Modules holds the versions of the modules the computation depends on.
	Modules map[string]string `json:"modules,omitempty"`
	// DataSHA256 is the SHA-256 of the last training data (features, then
	// targets, as float bytes), when the model was trained.
	DataSHA256 string `json:"data_sha256,omitempty"`
}

// Checkpoint says where a training run stood when it was saved: the next
// batch to train. Resume with trainer.FitConfig{InitialEpoch: Epoch,
// InitialBatch: Batch} and the run's seed.
type Checkpoint struct {
	Epoch int `json:"epoch"`
	Batch int `json:"batch"`
	// Seed is the run's trainer.FitConfig.Seed.
	Seed int64 `json:"seed"`
	// Run describes the run in the caller's terms (the profundo command
	// keeps its flags), so a resume can check it continues the same run.
	Run string `json:"run,omitempty"`
}

func provenance(dataHash string) *Provenance {
	p := &Provenance{ProfundoVersion: "(devel)", GoVersion: runtime.Version(), DataSHA256: dataHash}
	if bi, ok := debug.ReadBuildInfo(); ok {
		p.Modules = map[string]string{}
		if bi.Main.Path == "github.com/profundo/profundo" && bi.Main.Version != "" {
			p.ProfundoVersion = bi.Main.Version
		}
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/profundo/profundo":
				p.ProfundoVersion = d.Version
			case "gorgonia.org/gorgonia", "gorgonia.org/tensor", "gonum.org/v1/gonum":
				p.Modules[d.Path] = d.Version
			}
		}
	}
	return p
}

func specOf(kind string, v any) (valueSpec, error) {
	cfg, err := json.Marshal(v)
	if err != nil {
		return valueSpec{}, errors.Wrapf(err, "%s: config", kind)
	}
	if string(cfg) == "{}" || string(cfg) == "null" {
		cfg = nil
	}
	return valueSpec{Kind: kind, Config: cfg}, nil
}

// decodeInto fills a copy of zero (a struct value or a pointer to one) from
// cfg, rejecting unknown fields, and returns it.
func decodeInto(zero any, cfg json.RawMessage) (any, error) {
	if len(cfg) == 0 {
		return zero, nil
	}
	t := reflect.TypeOf(zero)
	var ptr reflect.Value
	if t.Kind() == reflect.Pointer {
		ptr = reflect.New(t.Elem())
		ptr.Elem().Set(reflect.ValueOf(zero).Elem())
	} else {
		ptr = reflect.New(t)
		ptr.Elem().Set(reflect.ValueOf(zero))
	}
	dec := json.NewDecoder(bytes.NewReader(cfg))
	dec.DisallowUnknownFields()
	if err := dec.Decode(ptr.Interface()); err != nil {
		return nil, err
	}
	if t.Kind() == reflect.Pointer {
		return ptr.Interface(), nil
	}
	return ptr.Elem().Interface(), nil
}

func lossOf(s valueSpec) (losses.Loss, error) {
	l, err := losses.ByName(s.Kind)
	if err != nil {
		return nil, errors.Wrap(err, "compile: loss")
	}
	lv, err := decodeInto(l, s.Config)
	if err != nil {
		return nil, errors.Wrapf(err, "compile: loss %s: config", s.Kind)
	}
	return lv.(losses.Loss), nil
}

func metricOf(ms valueSpec) (metrics.Metric, error) {
	m, err := metrics.ByName(ms.Kind)
	if err != nil {
		return nil, errors.Wrap(err, "compile: metric")
	}
	mv, err := decodeInto(m, ms.Config)
	if err != nil {
		return nil, errors.Wrapf(err, "compile: metric %s: config", ms.Kind)
	}
	return mv.(metrics.Metric), nil
}

func (c compileJSON) config() (Config, error) {
	var cfg Config
	var err error
	if c.Loss.Kind != "" || len(c.Losses) == 0 {
		if cfg.Loss, err = lossOf(c.Loss); err != nil {
			return cfg, err
		}
	}
	for name, s := range c.Losses {
		l, err := lossOf(s)
		if err != nil {
			return cfg, errors.Wrapf(err, "output %q", name)
		}
		if cfg.Losses == nil {
			cfg.Losses = map[string]losses.Loss{}
		}
		cfg.Losses[name] = l
	}
	cfg.LossWeights = c.LossWeights
	for name, specs := range c.OutputMetrics {
		for _, s := range specs {
			m, err := metricOf(s)
			if err != nil {
				return cfg, errors.Wrapf(err, "output %q", name)
			}
			if cfg.OutputMetrics == nil {
				cfg.OutputMetrics = map[string][]metrics.Metric{}
			}
			cfg.OutputMetrics[name] = append(cfg.OutputMetrics[name], m)
		}
	}
	if c.Optimizer.Kind != "" {
		o, err := optimizers.ByName(c.Optimizer.Kind, 0)
		if err != nil {
			return cfg, errors.Wrap(err, "compile: optimizer")
		}
		ov, err := decodeInto(o, c.Optimizer.Config)
		if err != nil {
			return cfg, errors.Wrapf(err, "compile: optimizer %s: config", c.Optimizer.Kind)
		}
		cfg.Optimizer = ov.(optimizers.Optimizer)
	}
	for _, ms := range c.Metrics {
		m, err := metricOf(ms)
		if err != nil {
			return cfg, err
		}
		cfg.Metrics = append(cfg.Metrics, m)
	}
	cfg.BatchSize = c.BatchSize
	return cfg, nil
}

func compileSpec(cfg Config) (*compileJSON, error) {
	c := &compileJSON{BatchSize: cfg.BatchSize, LossWeights: cfg.LossWeights}
	var err error
	if cfg.Loss != nil {
		if c.Loss, err = specOf(cfg.Loss.Name(), cfg.Loss); err != nil {
			return nil, err
		}
	}
	for name, l := range cfg.Losses {
		s, err := specOf(l.Name(), l)
		if err != nil {
			return nil, err
		}
		if c.Losses == nil {
			c.Losses = map[string]valueSpec{}
		}
		c.Losses[name] = s
	}
	for name, ms := range cfg.OutputMetrics {
		for _, m := range ms {
			s, err := specOf(m.Name(), m)
			if err != nil {
				return nil, err
			}
			if c.OutputMetrics == nil {
				c.OutputMetrics = map[string][]valueSpec{}
			}
			c.OutputMetrics[name] = append(c.OutputMetrics[name], s)
		}
	}
	if cfg.Optimizer != nil {
		if c.Optimizer, err = specOf(cfg.Optimizer.Name(), cfg.Optimizer); err != nil {
			return nil, err
		}
	}
	for _, m := range cfg.Metrics {
		s, err := specOf(m.Name(), m)
		if err != nil {
			return nil, err
		}
		c.Metrics = append(c.Metrics, s)
	}
	return c, nil
}
