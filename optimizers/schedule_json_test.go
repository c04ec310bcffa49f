package optimizers_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/optimizers"
)

// decodeStrict decodes as models load optimizer configs: into the zero
// value, rejecting unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// decodeLike decodes data into a new value of like's type.
func decodeLike(t *testing.T, like optimizers.Optimizer, data []byte) (optimizers.Optimizer, error) {
	t.Helper()
	ptr := reflect.New(reflect.TypeOf(like))
	if err := decodeStrict(data, ptr.Interface()); err != nil {
		return nil, err
	}
	return ptr.Elem().Interface().(optimizers.Optimizer), nil
}

func TestScheduleJSONRoundTrip(t *testing.T) {
	schedules := []optimizers.Schedule{
		nil,
		optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: 1000, DecayRate: 0.96, Staircase: true},
		optimizers.PiecewiseConstantDecay{Boundaries: []int{100, 110}, Values: []float64{1, 0.5, 0.1}},
		optimizers.PolynomialDecay{InitialLearningRate: 0.1, DecaySteps: 10, EndLearningRate: 0.01, Power: 0.5, Cycle: true},
		optimizers.InverseTimeDecay{InitialLearningRate: 0.1, DecaySteps: 1, DecayRate: 0.5},
		optimizers.CosineDecay{DecaySteps: 1000, Alpha: 0.1, WarmupTarget: 0.1, WarmupSteps: 100},
		optimizers.CosineDecayRestarts{InitialLearningRate: 0.1, FirstDecaySteps: 10, TMul: 1.5, MMul: 0.9, Alpha: 0.01},
	}
	for _, sched := range schedules {
		opts := []optimizers.Optimizer{
			optimizers.SGD{LearningRate: 0.2, Schedule: sched, Momentum: 0.9, Nesterov: true},
			optimizers.Adam{Schedule: sched, Beta1: 0.8, Clip: optimizers.Clip{Norm: 1}},
			optimizers.AdamW{Schedule: sched, WeightDecay: 0.01},
			optimizers.RMSProp{Schedule: sched, Rho: 0.95, Momentum: 0.1},
			optimizers.AdaGrad{Schedule: sched, InitialAccumulator: 0.2},
		}
		for _, opt := range opts {
			data, err := json.Marshal(opt)
			if err != nil {
				t.Fatalf("%s with %T: %v", opt.Name(), sched, err)
			}
			if hasKey := bytes.Contains(data, []byte(`"Schedule"`)); hasKey != (sched != nil) {
				t.Errorf("%s: JSON %s, want a Schedule key only with a schedule", opt.Name(), data)
			}
			got, err := decodeLike(t, opt, data)
			if err != nil {
				t.Fatalf("%s: decoding %s: %v", opt.Name(), data, err)
			}
			if !reflect.DeepEqual(got, opt) {
				t.Errorf("%s: %s decoded to %#v, want %#v", opt.Name(), data, got, opt)
			}
			// A pointer marshals the same.
			ptr := reflect.New(reflect.TypeOf(opt))
			ptr.Elem().Set(reflect.ValueOf(opt))
			if again, err := json.Marshal(ptr.Interface()); err != nil || !bytes.Equal(again, data) {
				t.Errorf("%s: through a pointer: %s, %v; want %s", opt.Name(), again, err, data)
			}
		}
	}
}

// A spec written by hand, as in a model file.
func TestScheduleJSONByHand(t *testing.T) {
	src := `{"LearningRate": 0.5, "Schedule": {"kind": "cosine_decay", "config": {"DecaySteps": 100, "WarmupTarget": 0.01, "WarmupSteps": 10}}}`
	var o optimizers.Adam
	if err := decodeStrict([]byte(src), &o); err != nil {
		t.Fatal(err)
	}
	want := optimizers.Adam{LearningRate: 0.5, Schedule: optimizers.CosineDecay{DecaySteps: 100, WarmupTarget: 0.01, WarmupSteps: 10}}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("got %#v, want %#v", o, want)
	}
	// Keras's class names work too.
	src = `{"Schedule": {"kind": "ExponentialDecay", "config": {"InitialLearningRate": 0.1, "DecaySteps": 10, "DecayRate": 0.5}}}`
	var s optimizers.SGD
	if err := decodeStrict([]byte(src), &s); err != nil {
		t.Fatal(err)
	}
	if s.Schedule != (optimizers.ExponentialDecay{InitialLearningRate: 0.1, DecaySteps: 10, DecayRate: 0.5}) {
		t.Errorf("got %#v", s.Schedule)
	}
}

// Without a schedule the JSON is what encoding/json wrote before schedules.
func TestOptimizerJSONWithoutSchedule(t *testing.T) {
	data, err := json.Marshal(optimizers.Adam{LearningRate: 0.003})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"LearningRate":0.003,"Beta1":0,"Beta2":0,"Epsilon":0,"Clip":{"Norm":0,"GlobalNorm":0,"Value":0}}`
	if string(data) != want {
		t.Errorf("got %s, want %s", data, want)
	}
}

func TestScheduleJSONErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown kind", `{"Schedule": {"kind": "one_cycle"}}`, `Schedule: unknown schedule "one_cycle" (known: cosine_decay,`},
		{"unknown schedule field", `{"Schedule": {"kind": "exponential_decay", "config": {"DecaySteps": 3, "Decay": 0.5}}}`,
			`Schedule: schedule exponential_decay: config: json: unknown field "Decay"`},
		{"unknown optimizer field", `{"LearningRate": 0.1, "Momentum": 0.9}`, `unknown field "Momentum"`},
		{"unknown clip field", `{"Clip": {"Max": 1}}`, `unknown field "Max"`},
		{"bad type", `{"Schedule": {"kind": "piecewise_constant_decay", "config": {"Boundaries": [1.5], "Values": [1, 2]}}}`, "piecewise_constant_decay: config"},
		{"schedule not an object", `{"Schedule": "cosine_decay"}`, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		var o optimizers.Adam
		err := decodeStrict([]byte(tt.src), &o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	_, err := json.Marshal(optimizers.RMSProp{Schedule: optimizers.ScheduleFunc(func(int) float64 { return 1 })})
	if err == nil || !strings.Contains(err.Error(), "rmsprop: schedule optimizers.ScheduleFunc cannot be saved") {
		t.Errorf("marshaling a ScheduleFunc: %v", err)
	}
}

func TestMarshalSchedule(t *testing.T) {
	spec, err := optimizers.MarshalSchedule(&optimizers.InverseTimeDecay{InitialLearningRate: 1, DecaySteps: 2, DecayRate: 3})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Kind != "inverse_time_decay" || string(spec.Config) != `{"InitialLearningRate":1,"DecaySteps":2,"DecayRate":3,"Staircase":false}` {
		t.Errorf("got %s %s", spec.Kind, spec.Config)
	}
	s, err := optimizers.UnmarshalSchedule(spec)
	if err != nil || s != (optimizers.InverseTimeDecay{InitialLearningRate: 1, DecaySteps: 2, DecayRate: 3}) {
		t.Errorf("back: %#v, %v", s, err)
	}
	if spec, err := optimizers.MarshalSchedule(nil); spec != nil || err != nil {
		t.Errorf("nil schedule: %v, %v", spec, err)
	}
	for _, kind := range optimizers.ScheduleKinds() {
		s, err := optimizers.ScheduleByName(kind)
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		if spec, err := optimizers.MarshalSchedule(s); err != nil || spec.Kind != kind {
			t.Errorf("%s: marshals as %v, %v", kind, spec, err)
		}
	}
}
