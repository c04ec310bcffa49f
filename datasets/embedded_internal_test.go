package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// The checksums recorded in data/README.md: of the files as Debian's
// python3-sklearn 1.2.1+dfsg-1 ships them (iris, wine and breast cancer are
// stored gzipped here, so their check is on the gunzipped bytes).
func TestEmbeddedChecksums(t *testing.T) {
	tests := []struct {
		file   string
		gz     string
		gunzip bool
		sha256 string
	}{
		{"data/iris.csv.gz", irisGz, true, "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449"},
		{"data/wine_data.csv.gz", wineGz, true, "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede"},
		{"data/breast_cancer.csv.gz", breastCancerGz, true, "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed"},
		{"data/diabetes_data_raw.csv.gz", diabetesDataGz, false, "fc08fc59c1cbfe65550d9ebb36321d505de9e8f004bf92c1566d2908962f08ff"},
		{"data/diabetes_target.csv.gz", diabetesTargetGz, false, "bf1ddd1f9d377278450a5f02c24b5e77b1501f2ad673fe9fdf4c4090d27eb5cc"},
	}
	for _, tt := range tests {
		b := []byte(tt.gz)
		if tt.gunzip {
			var err error
			if b, err = gunzipEmbedded(tt.gz); err != nil {
				t.Fatal(err)
			}
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != tt.sha256 {
			t.Errorf("%s: SHA-256 = %s, want %s (update data/README.md if the file changed on purpose)", tt.file, got, tt.sha256)
		}
	}
}

func TestParseSklearnCSVErrors(t *testing.T) {
	set := sklearnSet{name: "tiny", file: "tiny.csv", rows: 2, features: 2, classes: []string{"a", "b"}}
	tests := []struct {
		name, in, want string
	}{
		{"good", "2,2,a,b\n1,2,0\n3,4,1\n", ""},
		{"wrong first line", "3,2,a,b\n1,2,0\n", `line 1: got ["3" "2" "a" "b"]`},
		{"bad number", "2,2,a,b\n1,x,0\n3,4,1\n", `line 2, column 2: "x" is not a number`},
		{"bad class", "2,2,a,b\n1,2,2\n3,4,1\n", `line 2, column 3: class id "2" is not an integer in [0, 2)`},
		{"too few rows", "2,2,a,b\n1,2,0\n", "got 1 rows, want 2"},
		{"too many rows", "2,2,a,b\n1,2,0\n1,2,0\n1,2,0\n", "line 4: more than 2 rows"},
		{"ragged", "2,2,a,b\n1,2\n", "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSklearnCSV(strings.NewReader(tt.in), set)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := parseSpaced([]byte("1 2\n3\n"), 2, 2); err == nil || !strings.Contains(err.Error(), "line 2: 1 fields, want 2") {
		t.Errorf("parseSpaced ragged: error %v", err)
	}
}
