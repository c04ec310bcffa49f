package tuner_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/tuner"
)

func TestSpaceValidateErrors(t *testing.T) {
	tests := []struct {
		name  string
		space tuner.Space
		want  string
	}{
		{"empty", tuner.Space{}, "no hyperparameters"},
		{"nil param", tuner.Space{nil}, "hyperparameter 0 is nil"},
		{"no name", tuner.Space{tuner.Int{Min: 1, Max: 2}}, "int hyperparameter: the name is empty"},
		{"int min > max", tuner.Space{tuner.Int{Name: "units", Min: 64, Max: 16}}, `int "units": min 64 > max 16`},
		{"float min > max", tuner.Space{tuner.Float{Name: "lr", Min: 0.1, Max: 0.01}}, `float "lr": min 0.1 > max 0.01`},
		{"negative step", tuner.Space{tuner.Int{Name: "units", Min: 1, Max: 9, Step: -2}}, "step must be >= 0, got -2"},
		{"log min 0", tuner.Space{tuner.Float{Name: "lr", Min: 0, Max: 0.1, Log: true}}, `float "lr": a log scale needs min > 0, got 0`},
		{"int log min 0", tuner.Space{tuner.Int{Name: "units", Min: 0, Max: 64, Log: true}}, "a log scale needs min > 0, got 0"},
		{"log factor 1", tuner.Space{tuner.Float{Name: "lr", Min: 0.001, Max: 0.1, Log: true, Step: 0.5}}, "must be > 1"},
		{"nan bound", tuner.Space{tuner.Float{Name: "lr", Min: math.NaN(), Max: 1}}, "must be finite"},
		{"empty choice", tuner.Space{tuner.Choice{Name: "opt"}}, `choice "opt": no values`},
		{"mixed choice", tuner.Space{tuner.Choice{Name: "opt", Values: []any{"adam", 3}}}, "values mix string"},
		{"repeated choice", tuner.Space{tuner.Choice{Name: "opt", Values: []any{"adam", "adam"}}}, `value adam is listed twice`},
		{"bad choice type", tuner.Space{tuner.Choice{Name: "opt", Values: []any{[]int{1}}}}, "want a string, bool, integer or float"},
		{"fixed nil", tuner.Space{tuner.Fixed{Name: "epochs"}}, `fixed "epochs": value is nil`},
		{"duplicate", tuner.Space{tuner.Boolean{Name: "bn"}, tuner.Boolean{Name: "bn"}}, `two hyperparameters are named "bn"`},
		{"unknown parent", tuner.Space{tuner.Float{Name: "momentum", Max: 0.9, When: tuner.When("optimizer", "sgd")}},
			`the condition's parent "optimizer" is not a hyperparameter declared before it`},
		{"parent after child", tuner.Space{
			tuner.Float{Name: "momentum", Max: 0.9, When: tuner.When("optimizer", "sgd")},
			tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
		}, "declared before it"},
		{"condition never holds", tuner.Space{
			tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
			tuner.Float{Name: "momentum", Max: 0.9, When: tuner.When("optimizer", "rmsprop")},
		}, `names rmsprop, a value "optimizer" never takes`},
		{"condition on continuum", tuner.Space{
			tuner.Float{Name: "lr", Min: 0.001, Max: 0.1},
			tuner.Boolean{Name: "decay", When: tuner.When("lr", 0.01)},
		}, "takes continuous values"},
		{"condition without values", tuner.Space{
			tuner.Boolean{Name: "bn"},
			tuner.Boolean{Name: "momentum", When: tuner.When("bn")},
		}, "lists no values"},
		{"condition on itself", tuner.Space{tuner.Boolean{Name: "bn", When: tuner.When("bn", true)}}, "the condition is on itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.space.Validate()
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSampleDeterministicAndInRange(t *testing.T) {
	space := tuner.Space{
		tuner.Float{Name: "lr", Min: 1e-4, Max: 1e-1, Log: true},
		tuner.Int{Name: "units", Min: 16, Max: 256, Step: 16},
		tuner.Int{Name: "filters", Min: 8, Max: 128, Step: 2, Log: true},
		tuner.Float{Name: "dropout", Min: 0, Max: 0.5, Step: 0.1},
		tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
		tuner.Boolean{Name: "bn"},
		tuner.Fixed{Name: "epochs", Value: 5},
	}
	a, err := space.Sample(7, 50)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := space.Sample(7, 50)
	c, _ := space.Sample(8, 50)
	if len(a) != 50 {
		t.Fatalf("%d configurations, want 50", len(a))
	}
	same := 0
	seen := map[string]bool{}
	for i := range a {
		if a[i].Text() != b[i].Text() {
			t.Errorf("configuration %d: %s, then %s with the same seed", i, a[i].Text(), b[i].Text())
		}
		if a[i].Text() == c[i].Text() {
			same++
		}
		if seen[a[i].Text()] {
			t.Errorf("configuration %d repeats %s", i, a[i].Text())
		}
		seen[a[i].Text()] = true
		v := a[i]
		if lr := v.Float("lr"); lr < 1e-4 || lr > 1e-1 {
			t.Errorf("lr %v out of range", lr)
		}
		if u := v.Int("units"); u < 16 || u > 256 || u%16 != 0 {
			t.Errorf("units %d not in 16..256 by 16", u)
		}
		if f := v.Int("filters"); f != 8 && f != 16 && f != 32 && f != 64 && f != 128 {
			t.Errorf("filters %d not a power of 2 in 8..128", f)
		}
		if d := v.Float("dropout"); d < 0 || d > 0.5 || math.Abs(d*10-math.Round(d*10)) > 1e-12 {
			t.Errorf("dropout %v not in 0..0.5 by 0.1", d)
		}
		if o := v.String("optimizer"); o != "adam" && o != "sgd" {
			t.Errorf("optimizer %q", o)
		}
		_ = v.Bool("bn")
		if e := v.Int("epochs"); e != 5 {
			t.Errorf("epochs %d, want 5", e)
		}
		if err := v.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if same > 2 {
		t.Errorf("seeds 7 and 8 drew %d equal configurations of 50", same)
	}
	// A log scale puts about as many draws in each decade.
	var low int
	many, _ := tuner.Space{tuner.Float{Name: "lr", Min: 1e-4, Max: 1e-2, Log: true}}.Sample(1, 400)
	for _, v := range many {
		if v.Float("lr") < 1e-3 {
			low++
		}
	}
	if low < 150 || low > 250 {
		t.Errorf("%d of 400 log-uniform draws below 1e-3, want about 200", low)
	}
}

func TestSampleExhaustsSmallSpace(t *testing.T) {
	space := tuner.Space{tuner.Boolean{Name: "a"}, tuner.Choice{Name: "b", Values: []any{1, 2, 3}}}
	vs, err := space.Sample(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 6 {
		t.Errorf("%d configurations of a space of 6, want 6", len(vs))
	}
}

func TestEnumerateGrid(t *testing.T) {
	space := tuner.Space{
		tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
		tuner.Float{Name: "momentum", Min: 0, Max: 0.9, Step: 0.45, When: tuner.When("optimizer", "sgd")},
		tuner.Float{Name: "lr", Min: 1e-3, Max: 1e-1, Log: true},
	}
	vs, err := space.Enumerate(3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Text())
	}
	want := []string{
		"optimizer=adam lr=0.001", "optimizer=adam lr=0.01", "optimizer=adam lr=0.1",
		"optimizer=sgd momentum=0 lr=0.001", "optimizer=sgd momentum=0 lr=0.01", "optimizer=sgd momentum=0 lr=0.1",
		"optimizer=sgd momentum=0.45 lr=0.001", "optimizer=sgd momentum=0.45 lr=0.01", "optimizer=sgd momentum=0.45 lr=0.1",
		"optimizer=sgd momentum=0.9 lr=0.001", "optimizer=sgd momentum=0.9 lr=0.01", "optimizer=sgd momentum=0.9 lr=0.1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grid:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := (tuner.Space{tuner.Int{Name: "n", Min: 0, Max: 2_000_000}}).Enumerate(0); err == nil {
		t.Error("a grid of 2,000,001 points: no error")
	}
}

func TestConditionalValues(t *testing.T) {
	space := tuner.Space{
		tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
		tuner.Float{Name: "momentum", Min: 0, Max: 0.9, When: tuner.When("optimizer", "sgd")},
		tuner.Boolean{Name: "nesterov", When: tuner.When("momentum", 0.3)},
	}
	if err := space.Validate(); err == nil || !strings.Contains(err.Error(), "continuous") {
		t.Fatalf("a condition on a continuous momentum: error %v", err)
	}
	space[1] = tuner.Float{Name: "momentum", Min: 0, Max: 0.9, Step: 0.3, When: tuner.When("optimizer", "sgd")}
	vs, err := space.Sample(3, 30)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		sgd := v.String("optimizer") == "sgd"
		if v.Active("momentum") != sgd {
			t.Errorf("%s: momentum active %v", v.Text(), v.Active("momentum"))
		}
		if want := sgd && v.Float("momentum") == 0.3; v.Active("nesterov") != want {
			t.Errorf("%s: nesterov active %v", v.Text(), v.Active("nesterov"))
		}
		if !sgd {
			if got := v.Float("momentum"); got != 0 {
				t.Errorf("inactive momentum read as %v", got)
			}
			if err := v.Err(); err == nil || !strings.Contains(err.Error(), `"momentum" is not active in this trial (it needs optimizer = sgd)`) {
				t.Errorf("reading an inactive momentum: error %v", err)
			}
		}
	}
}

func TestValuesGetterErrors(t *testing.T) {
	space := tuner.Space{tuner.Int{Name: "units", Min: 8, Max: 64}, tuner.Choice{Name: "act", Values: []any{"relu", "tanh"}}}
	v, err := space.Values(map[string]any{"units": 32, "act": "tanh"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Int("units") != 32 || v.String("act") != "tanh" || v.Float("units") != 32 || v.Err() != nil {
		t.Fatalf("getters: %d %q %v %v", v.Int("units"), v.String("act"), v.Float("units"), v.Err())
	}
	tests := []struct {
		read func(*tuner.Values)
		want string
	}{
		{func(v *tuner.Values) { v.Int("act") }, `hyperparameter "act" is tanh, not an int`},
		{func(v *tuner.Values) { v.Bool("units") }, `"units" is 32, not a bool`},
		{func(v *tuner.Values) { v.String("units") }, `"units" is 32, not a string`},
		{func(v *tuner.Values) { v.Float("act") }, `"act" is tanh, not a number`},
		{func(v *tuner.Values) { v.Int("layers") }, `hyperparameter "layers" is not in the search space (units, act)`},
	}
	for _, tt := range tests {
		v, _ := space.Values(map[string]any{"units": 32, "act": "tanh"})
		tt.read(v)
		if err := v.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want %q", err, tt.want)
		}
	}
	for _, bad := range []map[string]any{
		{"units": 32},
		{"units": 100, "act": "relu"},
		{"units": 32, "act": "gelu"},
		{"units": 32.5, "act": "relu"},
		{"units": 32, "act": "relu", "lr": 0.1},
	} {
		if _, err := space.Values(bad); err == nil {
			t.Errorf("Values(%v): no error", bad)
		}
	}
}

func TestSpaceJSONRoundTrip(t *testing.T) {
	space := tuner.Space{
		tuner.Float{Name: "lr", Min: 1e-4, Max: 0.1, Log: true},
		tuner.Int{Name: "units", Min: 16, Max: 256, Step: 16},
		tuner.Choice{Name: "optimizer", Values: []any{"adam", "sgd"}},
		tuner.Float{Name: "momentum", Min: 0, Max: 0.9, Step: 0.3, When: tuner.When("optimizer", "sgd")},
		tuner.Choice{Name: "batch_size", Values: []any{32, 64}},
		tuner.Boolean{Name: "bn"},
		tuner.Fixed{Name: "epochs", Value: 20},
	}
	data, err := json.Marshal(space)
	if err != nil {
		t.Fatal(err)
	}
	back, err := tuner.ReadSpace(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	again, _ := json.Marshal(back)
	if string(again) != string(data) {
		t.Errorf("round trip:\n%s\n%s", data, again)
	}
	a, _ := space.Sample(5, 20)
	b, _ := back.Sample(5, 20)
	for i := range a {
		if a[i].Text() != b[i].Text() {
			t.Errorf("configuration %d: %s from Go, %s from JSON", i, a[i].Text(), b[i].Text())
		}
	}
	if typ, ok := back.Type("batch_size"); !ok || typ != tuner.IntType {
		t.Errorf("batch_size from JSON is %v", typ)
	}
	for _, bad := range []struct{ json, want string }{
		{`{"hyperparameters": [{"name": "x", "type": "int", "min": 1.5, "max": 3}]}`, "min 1.5 is not an integer"},
		{`{"hyperparameters": [{"name": "x", "type": "float", "max": 3}]}`, "min is missing"},
		{`{"hyperparameters": [{"name": "x", "type": "choice", "min": 3, "values": [1]}]}`, `a choice has no "min"`},
		{`{"hyperparameters": [{"name": "x", "type": "normal"}]}`, `type "normal"`},
		{`{"hyperparameters": [{"name": "x", "type": "boolean", "colour": 1}]}`, `unknown field "colour"`},
		{`{"hyperparameters": []}`, "no hyperparameters"},
		{`[1, 2]`, "want {\"hyperparameters\""},
	} {
		if _, err := tuner.ReadSpace(strings.NewReader(bad.json)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want %q", bad.json, err, bad.want)
		}
	}
}
