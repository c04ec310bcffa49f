package jsonfloat

import (
	"encoding/json"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := []Float{1.5, Float(math.NaN()), Float(math.Inf(1)), Float(math.Inf(-1)), -0.25}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[1.5,"NaN","Infinity","-Infinity",-0.25]` {
		t.Errorf("marshalled %s", b)
	}
	var out []Float
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out[0] != 1.5 || !math.IsNaN(float64(out[1])) || !math.IsInf(float64(out[2]), 1) || !math.IsInf(float64(out[3]), -1) || out[4] != -0.25 {
		t.Errorf("read back %v", out)
	}
	if err := json.Unmarshal([]byte(`["nan"]`), &out); err == nil {
		t.Error(`"nan" read as a number`)
	}
}
