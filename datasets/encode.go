package datasets

import (
	"math"
	"sort"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// OneHotEncoder encodes a categorical column as one 0/1 feature per
// category: n cells -> float64 [n, len(Categories)], with a 1 in the feature
// of each cell's category. A missing cell gives NaN in every feature of its
// row, for SimpleImputer to fill (or Table.DropMissing to avoid). The zero
// value is ready to Fit.
type OneHotEncoder struct {
	// Categories are the known categories, in feature order. Fit sets them
	// to the distinct non-missing cells, sorted (see LabelEncoder.Fit for the
	// order); they may be set by hand instead of calling Fit.
	Categories []string `json:"categories"`
	// IgnoreUnknown encodes a category that is not in Categories as all
	// zeros. False: an unknown category is an error naming the row and the
	// value.
	IgnoreUnknown bool `json:"ignore_unknown"`
}

// Fit sets Categories to the sorted distinct non-missing cells of c. A
// column with no such cell is an error.
func (e *OneHotEncoder) Fit(c *Column) error {
	cats, err := categoriesOf(c)
	if err != nil {
		return errors.Wrap(err, "one-hot encoder: fit")
	}
	e.Categories = cats
	return nil
}

// Transform encodes c's cells, [n] -> float64 [n, len(Categories)].
func (e *OneHotEncoder) Transform(c *Column) (*tensor.Dense, error) {
	if c == nil || len(c.Cells) == 0 {
		return nil, errors.New("one-hot encoder: transform: the column has no cells")
	}
	k := len(e.Categories)
	dst := make([]float64, len(c.Cells)*k)
	if err := e.encode(c, dst, k, 0, rowWhere); err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(len(c.Cells), k), tensor.WithBacking(dst)), nil
}

// FeatureNames names the features "column=category".
func (e *OneHotEncoder) FeatureNames(column string) []string {
	names := make([]string, len(e.Categories))
	for i, cat := range e.Categories {
		names[i] = column + "=" + cat
	}
	return names
}

// encode writes row i's features at dst[i*stride+off:], naming rows with
// where in errors.
func (e *OneHotEncoder) encode(c *Column, dst []float64, stride, off int, where func(int) string) error {
	index, err := categoryIndex("one-hot encoder", e.Categories)
	if err != nil {
		return err
	}
	for i, cell := range c.Cells {
		row := dst[i*stride+off : i*stride+off+len(e.Categories)]
		if c.IsMissing(i) {
			for j := range row {
				row[j] = math.NaN()
			}
			continue
		}
		j, ok := index[cell]
		if !ok {
			if e.IgnoreUnknown {
				continue
			}
			return unknownCategory("one-hot encoder", c.Name, where(i), cell, e.Categories, "as all zeros")
		}
		row[j] = 1
	}
	return nil
}

// OrdinalEncoder encodes a categorical column as one feature, the index of
// each cell's category in Categories: n cells -> float64 [n, 1]. A missing
// cell gives NaN. Use it for ordered categories ("low", "medium", "high",
// with Categories set in that order), or where one-hot would make too many
// features. The zero value is ready to Fit.
type OrdinalEncoder struct {
	// Categories are the known categories; a category's code is its index.
	// Fit sets them to the distinct non-missing cells, sorted; set them by
	// hand, in order, for ordered categories.
	Categories []string `json:"categories"`
	// IgnoreUnknown encodes a category that is not in Categories as -1.
	// False: an unknown category is an error naming the row and the value.
	IgnoreUnknown bool `json:"ignore_unknown"`
}

// Fit sets Categories to the sorted distinct non-missing cells of c. A
// column with no such cell is an error.
func (e *OrdinalEncoder) Fit(c *Column) error {
	cats, err := categoriesOf(c)
	if err != nil {
		return errors.Wrap(err, "ordinal encoder: fit")
	}
	e.Categories = cats
	return nil
}

// Transform encodes c's cells, [n] -> float64 [n, 1].
func (e *OrdinalEncoder) Transform(c *Column) (*tensor.Dense, error) {
	if c == nil || len(c.Cells) == 0 {
		return nil, errors.New("ordinal encoder: transform: the column has no cells")
	}
	dst := make([]float64, len(c.Cells))
	if err := e.encode(c, dst, 1, 0, rowWhere); err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(len(c.Cells), 1), tensor.WithBacking(dst)), nil
}

func (e *OrdinalEncoder) encode(c *Column, dst []float64, stride, off int, where func(int) string) error {
	index, err := categoryIndex("ordinal encoder", e.Categories)
	if err != nil {
		return err
	}
	for i, cell := range c.Cells {
		p := &dst[i*stride+off]
		if c.IsMissing(i) {
			*p = math.NaN()
			continue
		}
		j, ok := index[cell]
		if !ok {
			if !e.IgnoreUnknown {
				return unknownCategory("ordinal encoder", c.Name, where(i), cell, e.Categories, "as -1")
			}
			j = -1
		}
		*p = float64(j)
	}
	return nil
}

func rowWhere(i int) string { return "row " + strconv.Itoa(i) }

func unknownCategory(kind, column, where, cell string, cats []string, ignored string) error {
	return errors.Errorf("%s: column %q, %s: unknown category %q; the categories are %s (set IgnoreUnknown to encode it %s)", kind, column, where, cell, quoteList(cats), ignored)
}

// categoriesOf returns the distinct non-missing cells of c, sorted.
func categoriesOf(c *Column) ([]string, error) {
	if c == nil {
		return nil, errors.New("column is nil")
	}
	var cells []string
	for i, cell := range c.Cells {
		if !c.IsMissing(i) {
			cells = append(cells, cell)
		}
	}
	if len(cells) == 0 {
		return nil, errors.Errorf("column %q has no values: all %d cells are missing", c.Name, len(c.Cells))
	}
	return sortedDistinct(cells), nil
}

// categoryIndex maps each category to its index; Categories must be set
// (by Fit) and hold no repeats.
func categoryIndex(kind string, cats []string) (map[string]int, error) {
	if cats == nil {
		return nil, errors.Errorf("%s: transform before fit (no categories)", kind)
	}
	index := make(map[string]int, len(cats))
	for i, c := range cats {
		if j, ok := index[c]; ok {
			return nil, errors.Errorf("%s: category %q is listed twice, at %d and %d", kind, c, j, i)
		}
		index[c] = i
	}
	return index, nil
}

// sortedDistinct returns the distinct values of s sorted as numbers when all
// of them are numbers ("2" before "10"), else as text.
func sortedDistinct(s []string) []string {
	seen := make(map[string]bool, len(s))
	var out []string
	numeric := true
	for _, v := range s {
		if seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
		if _, ok := parseNumber(v); !ok {
			numeric = false
		}
	}
	if numeric {
		sort.Slice(out, func(i, j int) bool {
			a, _ := parseNumber(out[i])
			b, _ := parseNumber(out[j])
			if a != b {
				return a < b
			}
			return out[i] < out[j]
		})
	} else {
		sort.Strings(out)
	}
	return out
}

// formatNumber writes v the shortest way that reads back the same ("1", not
// "1.0").
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}
