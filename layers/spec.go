package layers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/pkg/errors"
)

// Spec is a layer as saved in a model file or written by hand: its kind and
// its configuration, the layer's exported fields as JSON.
//
//	{"kind": "dense", "config": {"units": 64, "activation": "relu"}}
type Spec struct {
	Kind   string          `json:"kind"`
	Config json.RawMessage `json:"config,omitempty"`
}

// Kinds lists the layer kinds New knows, sorted.
func Kinds() []string {
	kinds := []string{"activation", "average_pooling1d", "average_pooling2d", "batch_normalization", "bidirectional", "conv1d", "conv2d", "dense", "dropout", "embedding", "flatten", "global_average_pooling1d", "global_average_pooling2d",
		"global_max_pooling1d", "global_max_pooling2d", "gru", "input", "layer_normalization", "lstm", "max_pooling1d", "max_pooling2d", "rescaling", "reshape", "simple_rnn", "spatial_dropout2d", "time_distributed", "up_sampling2d", "zero_padding2d",
		"elu", "leaky_relu", "prelu", "relu",
		"conv1d_transpose", "conv2d_transpose", "depthwise_conv2d", "separable_conv2d",
		"group_normalization", "conv3d", "max_pooling3d", "average_pooling3d", "global_average_pooling3d", "global_max_pooling3d",
		"position_embedding", "sine_position_encoding", "token_and_position_embedding", "transformer_encoder",
	}
	slices.Sort(kinds)
	return kinds
}

// New returns a new, unconfigured layer of the given kind.
func New(kind string) (Layer, error) {
	switch kind {
	case "activation":
		return &Activation{}, nil
	case "average_pooling1d":
		return &AveragePooling1D{}, nil
	case "average_pooling2d":
		return &AveragePooling2D{}, nil
	case "batch_normalization":
		return &BatchNormalization{}, nil
	case "bidirectional":
		return &Bidirectional{}, nil
	case "conv1d":
		return &Conv1D{}, nil
	case "conv2d":
		return &Conv2D{}, nil
	case "dense":
		return &Dense{}, nil
	case "dropout":
		return &Dropout{}, nil
	case "embedding":
		return &Embedding{}, nil
	case "flatten":
		return &Flatten{}, nil
	case "global_average_pooling1d":
		return &GlobalAveragePooling1D{}, nil
	case "global_average_pooling2d":
		return &GlobalAveragePooling2D{}, nil
	case "global_max_pooling1d":
		return &GlobalMaxPooling1D{}, nil
	case "global_max_pooling2d":
		return &GlobalMaxPooling2D{}, nil
	case "gru":
		return &GRU{}, nil
	case "input":
		return &Input{}, nil
	case "layer_normalization":
		return &LayerNormalization{}, nil
	case "lstm":
		return &LSTM{}, nil
	case "max_pooling1d":
		return &MaxPooling1D{}, nil
	case "max_pooling2d":
		return &MaxPooling2D{}, nil
	case "rescaling":
		return &Rescaling{}, nil
	case "reshape":
		return &Reshape{}, nil
	case "simple_rnn":
		return &SimpleRNN{}, nil
	case "spatial_dropout2d":
		return &SpatialDropout2D{}, nil
	case "time_distributed":
		return &TimeDistributed{}, nil
	case "up_sampling2d":
		return &UpSampling2D{}, nil
	case "zero_padding2d":
		return &ZeroPadding2D{}, nil
	case "elu":
		return &ELUActivation{}, nil
	case "leaky_relu":
		return &LeakyReLUActivation{}, nil
	case "prelu":
		return &PReLU{}, nil
	case "relu":
		return &ReLUActivation{}, nil
	case "conv1d_transpose":
		return &Conv1DTranspose{}, nil
	case "conv2d_transpose":
		return &Conv2DTranspose{}, nil
	case "depthwise_conv2d":
		return &DepthwiseConv2D{}, nil
	case "separable_conv2d":
		return &SeparableConv2D{}, nil
	case "group_normalization":
		return &GroupNormalization{}, nil
	case "conv3d":
		return &Conv3D{}, nil
	case "max_pooling3d":
		return &MaxPooling3D{}, nil
	case "average_pooling3d":
		return &AveragePooling3D{}, nil
	case "global_average_pooling3d":
		return &GlobalAveragePooling3D{}, nil
	case "global_max_pooling3d":
		return &GlobalMaxPooling3D{}, nil
	case "position_embedding":
		return &PositionEmbedding{}, nil
	case "sine_position_encoding":
		return &SinePositionEncoding{}, nil
	case "token_and_position_embedding":
		return &TokenAndPositionEmbedding{}, nil
	case "transformer_encoder":
		return &TransformerEncoder{}, nil
	}
	return nil, errors.Errorf("unknown layer kind %q (known: %s)", kind, strings.Join(Kinds(), ", "))
}

// Marshal returns the spec of l.
func Marshal(l Layer) (Spec, error) {
	cfg, err := json.Marshal(l)
	if err != nil {
		return Spec{}, errors.Wrapf(err, "%s %q: marshal config", l.Kind(), l.LayerName())
	}
	return Spec{Kind: l.Kind(), Config: cfg}, nil
}

// Unmarshal makes the layer a spec describes. custom, which may be nil,
// makes layers of kinds New does not know. A field the layer does not have
// is an error, so a misspelt key is not silently ignored.
func Unmarshal(s Spec, custom func(kind string) (Layer, bool)) (Layer, error) {
	var l Layer
	if custom != nil {
		l, _ = custom(s.Kind)
	}
	if l == nil {
		var err error
		if l, err = New(s.Kind); err != nil {
			return nil, err
		}
	}
	if len(s.Config) > 0 {
		dec := json.NewDecoder(bytes.NewReader(s.Config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(l); err != nil {
			return nil, errors.Wrapf(err, "%s: config", s.Kind)
		}
	}
	return l, nil
}

// InitializerSpec is an initializer as saved: its Keras name and its fields.
//
//	{"kind": "random_normal", "config": {"Stddev": 0.1}}
type InitializerSpec struct {
	Kind   string          `json:"kind"`
	Config json.RawMessage `json:"config,omitempty"`
}

// MarshalInitializer returns the spec of one of the initializers of this
// package.
func MarshalInitializer(init Initializer) (*InitializerSpec, error) {
	if init == nil {
		return nil, nil
	}
	t := reflect.TypeOf(init)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kind := snakeCase(t.Name())
	if known, ok := knownInitializer(kind); !ok || reflect.TypeOf(known) != t {
		return nil, errors.Errorf("initializer %T cannot be saved: only this package's initializers can", init)
	}
	spec := &InitializerSpec{Kind: kind}
	if t.NumField() > 0 {
		cfg, err := json.Marshal(init)
		if err != nil {
			return nil, errors.Wrapf(err, "initializer %s", kind)
		}
		spec.Config = cfg
	}
	return spec, nil
}

// UnmarshalInitializer makes the initializer a spec describes; a nil spec
// gives nil (the layer's default).
func UnmarshalInitializer(s *InitializerSpec) (Initializer, error) {
	if s == nil {
		return nil, nil
	}
	zero, err := InitializerByName(s.Kind)
	if err != nil {
		return nil, err
	}
	v := reflect.New(reflect.TypeOf(zero))
	if len(s.Config) > 0 {
		dec := json.NewDecoder(bytes.NewReader(s.Config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v.Interface()); err != nil {
			return nil, errors.Wrapf(err, "initializer %s: config", s.Kind)
		}
	}
	return v.Elem().Interface().(Initializer), nil
}
