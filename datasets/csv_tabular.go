package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// TabularOptions says how Table.ToDataset turns a table into features and
// targets. The zero value uses the table's Target, detects the task, and
// one-hot encodes every categorical feature.
type TabularOptions struct {
	// Target names the target column. Empty means the table's Target.
	Target string `json:"target"`
	// Task is the task the target poses. Zero (AutoTask) means
	// Table.DetectTask's guess.
	Task Task `json:"task"`
	// Exclude names columns to leave out of the features, such as an id.
	// Nil means none.
	Exclude []string `json:"exclude,omitempty"`
	// Ordinal names the columns to encode as one ordinal code each instead of
	// one-hot, each with its categories in code order; a nil list means the
	// sorted categories seen. A numeric column named here is encoded by its
	// cell text. Nil means every categorical feature is one-hot encoded.
	Ordinal map[string][]string `json:"ordinal,omitempty"`
	// IgnoreUnknown makes a category that Fit did not see encode as all
	// zeros (one-hot) or -1 (ordinal) in Transform. False: it is an error
	// naming the line, the column and the value.
	IgnoreUnknown bool `json:"ignore_unknown"`
}

// Tabular is the fitted conversion of a Table into a Dataset: features X,
// float64 [n, features], are the numeric columns as they are (NaN where
// missing) and the categorical columns one-hot (or ordinal) encoded, in the
// table's column order; the target Y is, for classification, float64 [n]
// class ids with ClassNames, and for regression float64 [n, 1] values. Fit
// learns the categories and classes (on the whole table, or on the training
// rows of a table split beforehand), Transform applies them to any table
// with the same columns, new data included. It marshals to JSON, so a saved
// model can turn new CSV rows into its inputs.
type Tabular struct {
	TabularOptions
	// Columns are the feature columns, in feature order. Set by Fit; nil
	// before.
	Columns []TabularColumn `json:"columns"`
	// TargetKind is the target column's kind at Fit. The class labels of a
	// numeric target are its values written the shortest way ("1" for
	// "1.0"). Set by Fit.
	TargetKind ColumnKind `json:"target_kind"`
	// Labels maps a classification target's labels to class ids. Set by
	// Fit; nil for regression.
	Labels *LabelEncoder `json:"labels,omitempty"`
}

// TabularColumn is one feature column of a fitted Tabular.
type TabularColumn struct {
	Name string     `json:"name"`
	Kind ColumnKind `json:"kind"`
	// OneHot encodes a categorical column; nil otherwise.
	OneHot *OneHotEncoder `json:"one_hot,omitempty"`
	// Ordinal encodes a column named in TabularOptions.Ordinal; nil
	// otherwise.
	Ordinal *OrdinalEncoder `json:"ordinal,omitempty"`
}

// ToDataset fits a Tabular with opt on t and returns t's Dataset together
// with the fitted Tabular, which turns new tables into features the same
// way. Errors name the table, the column, the line and the value: no target,
// an unknown column, a missing target cell (drop those rows with
// DropMissingIn), a regression target that is not a number, a numeric column
// with no values.
func (t *Table) ToDataset(opt TabularOptions) (*Dataset, *Tabular, error) {
	p := &Tabular{TabularOptions: opt}
	if err := p.Fit(t); err != nil {
		return nil, nil, err
	}
	d, err := p.Transform(t)
	if err != nil {
		return nil, nil, err
	}
	return d, p, nil
}

// Fit learns from t the feature columns, their categories and the target's
// classes, and resolves Target and Task.
func (p *Tabular) Fit(t *Table) error {
	if err := p.fit(t); err != nil {
		return errors.Wrapf(err, "table %q", t.Name)
	}
	return nil
}

func (p *Tabular) fit(t *Table) error {
	if err := t.check(); err != nil {
		return err
	}
	target := p.Target
	if target == "" {
		target = t.Target
	}
	if target == "" {
		return errors.New("no target column: set CSVOptions.Target or TabularOptions.Target")
	}
	tc, err := t.Column(target)
	if err != nil {
		return errors.Wrap(err, "target")
	}
	skip := map[string]bool{target: true}
	for _, name := range p.Exclude {
		if _, err := t.Column(name); err != nil {
			return errors.Wrap(err, "exclude")
		}
		skip[name] = true
	}
	for name := range p.Ordinal {
		if _, err := t.Column(name); err != nil {
			return errors.Wrap(err, "ordinal")
		}
		if skip[name] {
			return errors.Errorf("ordinal: column %q is the target or excluded", name)
		}
	}
	task := p.Task
	if task == AutoTask {
		if task, err = t.DetectTask(target); err != nil {
			return err
		}
	}
	if task != Classification && task != Regression {
		return errors.Errorf("unknown task %v", task)
	}
	if n := tc.MissingCount(); n > 0 {
		first := 0
		for !tc.IsMissing(first) {
			first++
		}
		return errors.Errorf("target column %q is missing in %d rows, the first at %s: drop them with DropMissingIn(%q)", target, n, t.where(first), target)
	}
	var labels *LabelEncoder
	if task == Regression {
		if _, err := numbersOf(t, tc, "target column"); err != nil {
			return errors.Wrap(err, "regression needs numbers")
		}
	} else {
		labels = &LabelEncoder{}
		if err := labels.Fit(targetKeys(tc, tc.Kind)); err != nil {
			return err
		}
	}

	var cols []TabularColumn
	for i := range t.Columns {
		c := &t.Columns[i]
		if skip[c.Name] {
			continue
		}
		col := TabularColumn{Name: c.Name, Kind: c.Kind}
		if cats, ok := p.Ordinal[c.Name]; ok {
			col.Kind = Categorical
			col.Ordinal = &OrdinalEncoder{Categories: append([]string(nil), cats...), IgnoreUnknown: p.IgnoreUnknown}
			if cats == nil {
				if err := col.Ordinal.Fit(c); err != nil {
					return err
				}
			}
		} else if c.Kind == Categorical {
			col.OneHot = &OneHotEncoder{IgnoreUnknown: p.IgnoreUnknown}
			if err := col.OneHot.Fit(c); err != nil {
				return err
			}
		} else if c.MissingCount() == len(c.Cells) {
			return errors.Errorf("column %q has no numeric values: all %d cells are missing (drop it with DropColumns)", c.Name, len(c.Cells))
		}
		cols = append(cols, col)
	}
	if len(cols) == 0 {
		return errors.Errorf("no feature columns: the columns are %s, with %q the target", quoteList(t.ColumnNames()), target)
	}
	p.Target, p.Task, p.TargetKind, p.Labels, p.Columns = target, task, tc.Kind, labels, cols
	return nil
}

// Transform turns t into a Dataset as fitted: t must hold the fitted
// feature columns (in any order; other columns are ignored). Without the
// target column, Y is nil (new data to predict); ClassNames is set for
// classification either way.
func (p *Tabular) Transform(t *Table) (*Dataset, error) {
	d, err := p.transform(t)
	if err != nil {
		return nil, errors.Wrapf(err, "table %q", t.Name)
	}
	return d, nil
}

func (p *Tabular) transform(t *Table) (*Dataset, error) {
	if p.Columns == nil {
		return nil, errors.New("tabular: transform before fit")
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	n, width := t.Rows(), 0
	for _, col := range p.Columns {
		width += col.width()
	}
	if n == 0 {
		return nil, errors.New("no rows")
	}
	x := make([]float64, n*width)
	off := 0
	for _, col := range p.Columns {
		c, err := t.Column(col.Name)
		if err != nil {
			return nil, err
		}
		switch {
		case col.OneHot != nil:
			err = col.OneHot.encode(c, x, width, off, t.where)
		case col.Ordinal != nil:
			err = col.Ordinal.encode(c, x, width, off, t.where)
		default:
			var v []float64
			if v, err = numbersOf(t, c, "column"); err == nil {
				for i := range v {
					x[i*width+off] = v[i]
				}
			}
		}
		if err != nil {
			return nil, err
		}
		off += col.width()
	}
	d := &Dataset{X: tensor.New(tensor.WithShape(n, width), tensor.WithBacking(x)), Name: t.Name}
	if p.Labels != nil {
		d.ClassNames = append([]string(nil), p.Labels.Classes...)
	}
	tc, err := t.Column(p.Target)
	if err != nil {
		return d, nil // no target: new data
	}
	for i := range tc.Cells {
		if tc.IsMissing(i) {
			return nil, errors.Errorf("target column %q, %s: the target is missing", p.Target, t.where(i))
		}
	}
	if p.Task == Regression {
		y, err := numbersOf(t, tc, "target column")
		if err != nil {
			return nil, err
		}
		d.Y = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))
		return d, nil
	}
	if p.Labels == nil {
		return nil, errors.New("classification without fitted labels")
	}
	ids, err := p.Labels.encode(targetKeys(tc, p.TargetKind), func(i int) string {
		return "target column " + quoteList([]string{p.Target}) + ", " + t.where(i)
	})
	if err != nil {
		return nil, err
	}
	y := make([]float64, n)
	for i, id := range ids {
		y[i] = float64(id)
	}
	d.Y = tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
	return d, nil
}

// FeatureNames names the features in order: a numeric or ordinal column's
// name, or "column=category" for each one-hot feature.
func (p *Tabular) FeatureNames() []string {
	var names []string
	for _, col := range p.Columns {
		if col.OneHot != nil {
			names = append(names, col.OneHot.FeatureNames(col.Name)...)
		} else {
			names = append(names, col.Name)
		}
	}
	return names
}

func (col TabularColumn) width() int {
	if col.OneHot != nil {
		return len(col.OneHot.Categories)
	}
	return 1
}

// numbersOf returns c's numbers, NaN where missing: a copy of a numeric
// column's Values, or a categorical column's cells parsed. A cell that is not a number is an
// error naming its line and value; when every present cell fails, the error
// says the column has no numeric values.
func numbersOf(t *Table, c *Column, what string) ([]float64, error) {
	if c.Kind == Numeric {
		return append([]float64(nil), c.Values...), nil
	}
	v := make([]float64, len(c.Cells))
	firstBad, good := -1, 0
	for i, cell := range c.Cells {
		if c.IsMissing(i) {
			v[i] = math.NaN()
			continue
		}
		x, ok := parseNumber(cell)
		if !ok {
			if firstBad < 0 {
				firstBad = i
			}
			continue
		}
		v[i] = x
		good++
	}
	if firstBad < 0 {
		return v, nil
	}
	if good == 0 {
		return nil, errors.Errorf("%s %q has no numeric values (%s: %q)", what, c.Name, t.where(firstBad), c.Cells[firstBad])
	}
	return nil, errors.Errorf("%s %q, %s: %q is not a number", what, c.Name, t.where(firstBad), c.Cells[firstBad])
}

// targetKeys returns each row's class label: the cell, or for a target that
// was numeric at Fit, the number written the shortest way.
func targetKeys(c *Column, fitted ColumnKind) []string {
	keys := make([]string, len(c.Cells))
	for i, cell := range c.Cells {
		keys[i] = cell
		if fitted != Numeric {
			continue
		}
		if v, ok := parseNumber(cell); ok {
			keys[i] = formatNumber(v)
		}
	}
	return keys
}
