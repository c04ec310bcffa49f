package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // for the embedded data sets
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// The embedded sets, as redistributed with scikit-learn; data/README.md
// gives each one's source, licence and checksum.
var (
	//go:embed data/iris.csv.gz
	irisGz string
	//go:embed data/wine_data.csv.gz
	wineGz string
	//go:embed data/breast_cancer.csv.gz
	breastCancerGz string
	//go:embed data/diabetes_data_raw.csv.gz
	diabetesDataGz string
	//go:embed data/diabetes_target.csv.gz
	diabetesTargetGz string
)

// sklearnSet describes one of scikit-learn's classification CSVs: a first
// line "n_samples,n_features,class names...", then n_samples rows of
// n_features numbers and an integer class id.
type sklearnSet struct {
	name, file string
	gz         string
	rows       int
	features   int
	classes    []string
}

func irisSet() sklearnSet {
	return sklearnSet{"iris", "data/iris.csv.gz", irisGz, 150, 4, []string{"setosa", "versicolor", "virginica"}}
}

func wineSet() sklearnSet {
	return sklearnSet{"wine", "data/wine_data.csv.gz", wineGz, 178, 13, []string{"class_0", "class_1", "class_2"}}
}

func breastCancerSet() sklearnSet {
	return sklearnSet{"breast-cancer", "data/breast_cancer.csv.gz", breastCancerGz, 569, 30, []string{"malignant", "benign"}}
}

// Iris returns Fisher's iris set (1936), embedded: X is float64 [150, 4],
// sepal length, sepal width, petal length and petal width in cm; Y is
// float64 [150], the class ids 0..2, 50 rows each, with ClassNames
// "setosa", "versicolor", "virginica". Name is "iris". Each call parses a
// fresh copy; the error is only for malformed embedded data.
func Iris() (*Dataset, error) { return loadSklearn(irisSet()) }

// Wine returns the UCI wine recognition set (Forina et al.), embedded: X is
// float64 [178, 13], chemical measurements of wines from three cultivars
// (FeatureNames("wine") names them; their scales differ a lot, so
// standardize them); Y is float64 [178], the class ids 0..2 (59, 71 and 48
// rows) with ClassNames "class_0", "class_1", "class_2". Name is "wine".
func Wine() (*Dataset, error) { return loadSklearn(wineSet()) }

// BreastCancer returns the UCI Breast Cancer Wisconsin (Diagnostic) set
// (Street, Wolberg and Mangasarian, 1993), embedded: X is float64 [569, 30],
// the mean, standard error and worst value of ten measures of cell nuclei
// (FeatureNames("breast-cancer")); Y is float64 [569], binary class ids
// with ClassNames "malignant" (0, 212 rows) and "benign" (1, 357 rows).
// Name is "breast-cancer".
func BreastCancer() (*Dataset, error) { return loadSklearn(breastCancerSet()) }

// Diabetes returns the diabetes set of Efron, Hastie, Johnstone and
// Tibshirani (2004, "Least Angle Regression"), embedded, unscaled: X is
// float64 [442, 10], age (years), sex (1 or 2), body mass index, average
// blood pressure and six blood serum measurements s1..s6; Y is float64
// [442, 1], a measure of disease progression one year after baseline
// (25..346). This is scikit-learn's load_diabetes(scaled=False); standardize
// X before training. Name is "diabetes"; ClassNames is nil (regression).
func Diabetes() (*Dataset, error) {
	d, err := loadDiabetes()
	if err != nil {
		return nil, errors.Wrap(err, "diabetes: embedded data")
	}
	return d, nil
}

const (
	diabetesRows     = 442
	diabetesFeatures = 10
)

// EmbeddedNames lists the names ByName knows, in order.
func EmbeddedNames() []string {
	return []string{"digits", "iris", "wine", "breast-cancer", "diabetes"}
}

// ByName returns the embedded set with the given name: "digits", "iris",
// "wine", "breast-cancer" or "diabetes" (what a --data flag takes). Another
// name is an error that lists these.
func ByName(name string) (*Dataset, error) {
	switch name {
	case "digits":
		return Digits()
	case "iris":
		return Iris()
	case "wine":
		return Wine()
	case "breast-cancer":
		return BreastCancer()
	case "diabetes":
		return Diabetes()
	}
	return nil, errors.Errorf("unknown data set %q; the embedded sets are %s", name, quoteList(EmbeddedNames()))
}

// FeatureNames returns the names of the features (the columns of X) of the
// embedded set with the given name, as scikit-learn names them: "sepal
// length (cm)", ..., "pixel_0_0", ..., "age", "sex", "bmi", ... Another
// name is an error that lists the known ones.
func FeatureNames(name string) ([]string, error) {
	switch name {
	case "digits":
		names := make([]string, 0, digitsPixels)
		for r := 0; r < 8; r++ {
			for c := 0; c < 8; c++ {
				names = append(names, fmt.Sprintf("pixel_%d_%d", r, c))
			}
		}
		return names, nil
	case "iris":
		return []string{"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"}, nil
	case "wine":
		return []string{"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
			"flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
			"od280/od315_of_diluted_wines", "proline"}, nil
	case "breast-cancer":
		measures := []string{"radius", "texture", "perimeter", "area", "smoothness", "compactness",
			"concavity", "concave points", "symmetry", "fractal dimension"}
		names := make([]string, 0, 3*len(measures))
		for _, m := range measures {
			names = append(names, "mean "+m)
		}
		for _, m := range measures {
			names = append(names, m+" error")
		}
		for _, m := range measures {
			names = append(names, "worst "+m)
		}
		return names, nil
	case "diabetes":
		return []string{"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"}, nil
	}
	return nil, errors.Errorf("unknown data set %q; the embedded sets are %s", name, quoteList(EmbeddedNames()))
}

func loadSklearn(s sklearnSet) (*Dataset, error) {
	raw, err := gunzipEmbedded(s.gz)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: embedded %s", s.name, s.file)
	}
	d, err := parseSklearnCSV(bytes.NewReader(raw), s)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: embedded %s", s.name, s.file)
	}
	return d, nil
}

func gunzipEmbedded(s string) ([]byte, error) {
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		return nil, errors.Wrap(err, "gunzip")
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, errors.Wrap(err, "gunzip")
	}
	return b, errors.Wrap(zr.Close(), "gunzip")
}

// parseSklearnCSV parses one of scikit-learn's classification CSVs and
// checks it against s: the counts and class names of its first line, then
// exactly s.rows rows. Errors name the line, the column and the value.
func parseSklearnCSV(r io.Reader, s sklearnSet) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, errors.Wrap(err, "csv: first line")
	}
	want := append([]string{strconv.Itoa(s.rows), strconv.Itoa(s.features)}, s.classes...)
	if strings.Join(trimCells(head), ",") != strings.Join(want, ",") {
		return nil, errors.Errorf("line 1: got %q, want %q", head, want)
	}
	cr.FieldsPerRecord = s.features + 1
	x := make([]float64, 0, s.rows*s.features)
	y := make([]float64, 0, s.rows)
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Wrap(err, "csv")
		}
		if len(y) == s.rows {
			return nil, errors.Errorf("line %d: more than %d rows", line, s.rows)
		}
		for j, f := range trimCells(rec) {
			if j < s.features {
				v, ok := parseNumber(f)
				if !ok {
					return nil, errors.Errorf("line %d, column %d: %q is not a number", line, j+1, f)
				}
				x = append(x, v)
				continue
			}
			id, err := strconv.Atoi(f)
			if err != nil || id < 0 || id >= len(s.classes) {
				return nil, errors.Errorf("line %d, column %d: class id %q is not an integer in [0, %d)", line, j+1, f, len(s.classes))
			}
			y = append(y, float64(id))
		}
	}
	if len(y) != s.rows {
		return nil, errors.Errorf("got %d rows, want %d", len(y), s.rows)
	}
	return &Dataset{
		X:          tensor.New(tensor.WithShape(s.rows, s.features), tensor.WithBacking(x)),
		Y:          tensor.New(tensor.WithShape(s.rows), tensor.WithBacking(y)),
		ClassNames: append([]string(nil), s.classes...),
		Name:       s.name,
	}, nil
}

func loadDiabetes() (*Dataset, error) {
	raw, err := gunzipEmbedded(diabetesDataGz)
	if err != nil {
		return nil, errors.Wrap(err, "data/diabetes_data_raw.csv.gz")
	}
	x, err := parseSpaced(raw, diabetesRows, diabetesFeatures)
	if err != nil {
		return nil, errors.Wrap(err, "data/diabetes_data_raw.csv.gz")
	}
	if raw, err = gunzipEmbedded(diabetesTargetGz); err != nil {
		return nil, errors.Wrap(err, "data/diabetes_target.csv.gz")
	}
	y, err := parseSpaced(raw, diabetesRows, 1)
	if err != nil {
		return nil, errors.Wrap(err, "data/diabetes_target.csv.gz")
	}
	return &Dataset{
		X:    tensor.New(tensor.WithShape(diabetesRows, diabetesFeatures), tensor.WithBacking(x)),
		Y:    tensor.New(tensor.WithShape(diabetesRows, 1), tensor.WithBacking(y)),
		Name: "diabetes",
	}, nil
}

// parseSpaced parses exactly rows lines of cols numbers separated by spaces.
func parseSpaced(b []byte, rows, cols int) ([]float64, error) {
	out := make([]float64, 0, rows*cols)
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != cols {
			return nil, errors.Errorf("line %d: %d fields, want %d", line, len(fields), cols)
		}
		if len(out) == rows*cols {
			return nil, errors.Errorf("line %d: more than %d rows", line, rows)
		}
		for j, f := range fields {
			v, ok := parseNumber(f)
			if !ok {
				return nil, errors.Errorf("line %d, column %d: %q is not a number", line, j+1, f)
			}
			out = append(out, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) != rows*cols {
		return nil, errors.Errorf("got %d rows, want %d", len(out)/cols, rows)
	}
	return out, nil
}
