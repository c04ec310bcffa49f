// Package jsonfloat is a float64 that round-trips through JSON, NaN and
// infinities included: JSON has no numbers for them, so they are written
// as the strings "NaN", "Infinity" and "-Infinity".
package jsonfloat

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/pkg/errors"
)

// Float is a float64 that JSON holds whatever its value.
type Float float64

// MarshalJSON writes f as a number, or as "NaN", "Infinity" or
// "-Infinity".
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Float) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = Float(math.NaN())
	case `"Infinity"`:
		*f = Float(math.Inf(1))
	case `"-Infinity"`:
		*f = Float(math.Inf(-1))
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return errors.Errorf("value %s is not a number, \"NaN\", \"Infinity\" or \"-Infinity\"", b)
		}
		*f = Float(v)
	}
	return nil
}
