package datasets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// The checksum recorded in data/README.md.
const digitsSHA256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"

func TestDigitsChecksum(t *testing.T) {
	sum := sha256.Sum256([]byte(digitsGz))
	if got := hex.EncodeToString(sum[:]); got != digitsSHA256 {
		t.Errorf("data/digits.csv.gz SHA-256 = %s, want %s (update data/README.md if the file changed on purpose)", got, digitsSHA256)
	}
}

// row makes one CSV line: 64 pixels equal to pixel, then label.
func row(pixel, label string) string {
	return strings.Repeat(pixel+",", digitsPixels) + label + "\n"
}

func TestParseDigits(t *testing.T) {
	good := row("0", "3") + row("16", "9")
	tests := []struct {
		name     string
		csv      string
		wantRows int
		contains string // empty: no error
	}{
		{"two good rows", good, 2, ""},
		{"truncated: fewer rows", good, 3, "got 2 rows, want 3"},
		{"too many rows", good + row("1", "1"), 2, "line 3: more than 2 rows"},
		{"truncated line", good + "0,1,2\n", 3, "wrong number of fields"},
		{"empty", "", 1, "got 0 rows, want 1"},
		{"pixel above 16", row("17", "1"), 1, `line 1, column 1: pixel "17" is not an integer in [0, 16]`},
		{"negative pixel", row("-1", "1"), 1, `pixel "-1"`},
		{"non-numeric pixel", row("x", "1"), 1, `pixel "x"`},
		{"fractional pixel", row("1.5", "1"), 1, `pixel "1.5"`},
		{"label above 9", good + row("0", "10"), 3, `line 3, column 65: label "10" is not an integer in [0, 9]`},
		{"missing label", strings.Repeat("0,", digitsPixels) + "\n", 1, `label ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseDigits(strings.NewReader(tt.csv), tt.wantRows)
			if tt.contains == "" {
				if err != nil {
					t.Fatal(err)
				}
				if d.Len() != tt.wantRows {
					t.Errorf("Len() = %d, want %d", d.Len(), tt.wantRows)
				}
				if err := d.Validate(); err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.contains)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
		})
	}
}

func TestReadDigitsCorrupt(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("0,0,0\n")},
		{"truncated gzip", []byte(digitsGz[:len(digitsGz)/2])},
		{"truncated gzip trailer", []byte(digitsGz[:len(digitsGz)-4])},
		{"gzip of a short csv", gz(t, row("0", "1"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := readDigits(bytes.NewReader(tt.data)); err == nil {
				t.Error("readDigits returned no error")
			}
		})
	}
	if _, err := readDigits(strings.NewReader(digitsGz)); err != nil {
		t.Errorf("the embedded data: %v", err)
	}
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
