package metrics_test

import (
	"math"
	"strings"
	"testing"

	"github.com/profundo/profundo/metrics"
)

// sacreBLEU's README example: two sets of references,
//
//	BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
//	chrF2 = 59.73
var (
	readmeRefs = [][]string{
		{"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
		{"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."},
	}
	readmeSys = []string{"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."}
)

func TestBLEUPublished(t *testing.T) {
	s, err := metrics.BLEU(readmeSys, readmeRefs)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Score-48.53) > 0.005 {
		t.Errorf("BLEU %.4f, want 48.53", s.Score)
	}
	want := [4]float64{82.4, 50.0, 45.5, 37.5}
	for i := range want {
		if math.Abs(s.Precisions[i]-want[i]) > 0.05 {
			t.Errorf("precision %d: %.2f, want %.1f", i+1, s.Precisions[i], want[i])
		}
	}
	if s.HypLen != 17 || s.RefLen != 18 || math.Abs(s.BP-0.943) > 0.0005 {
		t.Errorf("hyp_len %d, ref_len %d, BP %.4f; want 17, 18, 0.943", s.HypLen, s.RefLen, s.BP)
	}
	// A perfect translation scores 100, an empty one 0.
	if s, _ := metrics.BLEU(readmeRefs[0], readmeRefs[:1]); math.Abs(s.Score-100) > 1e-9 {
		t.Errorf("BLEU of the references themselves: %v", s.Score)
	}
	if s, _ := metrics.BLEU([]string{"", "", ""}, readmeRefs); s.Score != 0 {
		t.Errorf("BLEU of empty hypotheses: %v", s.Score)
	}
}

func TestChrFPublished(t *testing.T) {
	got, err := metrics.ChrF(readmeSys, readmeRefs)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-59.73) > 0.005 {
		t.Errorf("chrF %.4f, want 59.73", got)
	}
	if got, _ := metrics.ChrF(readmeRefs[1], readmeRefs[1:]); math.Abs(got-100) > 1e-9 {
		t.Errorf("chrF of the references themselves: %v", got)
	}
}

func TestTranslationMetricErrors(t *testing.T) {
	if _, err := metrics.BLEU([]string{"a"}, nil); err == nil || !strings.Contains(err.Error(), "no references") {
		t.Errorf("no references: %v", err)
	}
	if _, err := metrics.ChrF([]string{"a", "b"}, [][]string{{"a"}}); err == nil || !strings.Contains(err.Error(), "reference set 0 has 1 sentences, the hypotheses 2") {
		t.Errorf("short references: %v", err)
	}
}
