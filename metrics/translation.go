package metrics

import (
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/pkg/errors"
)

// BLEUScore is a corpus BLEU score as sacreBLEU reports it: Score in
// [0, 100], the n-gram precisions (in percent, smoothed), the brevity
// penalty and the lengths of the hypotheses and of the references.
type BLEUScore struct {
	Score      float64
	Precisions [4]float64
	BP         float64
	HypLen     int
	RefLen     int
}

// BLEU is sacreBLEU's corpus BLEU with its defaults (tokenizer 13a, mixed
// case, 4-grams, "exp" smoothing, no effective order): hyps[i] is the
// translation of sentence i and refs[r][i] its r-th reference (sacreBLEU's
// layout: one list per set of references). Each hypothesis n-gram counts
// as correct up to the most times any reference holds it; the reference
// length of a sentence is that of the reference closest in length (the
// shorter on ties).
func BLEU(hyps []string, refs [][]string) (BLEUScore, error) {
	if err := checkRefs(hyps, refs); err != nil {
		return BLEUScore{}, errors.Wrap(err, "bleu")
	}
	var correct, total [4]int
	var s BLEUScore
	for i, h := range hyps {
		ht := strings.Fields(tokenize13a(h))
		s.HypLen += len(ht)
		maxRef := map[string]int{}
		best := -1
		for _, set := range refs {
			rt := strings.Fields(tokenize13a(set[i]))
			d, bd := abs(len(rt)-len(ht)), abs(best-len(ht))
			if best < 0 || d < bd || (d == bd && len(rt) < best) {
				best = len(rt)
			}
			for g, c := range ngrams(rt, 4) {
				if c > maxRef[g] {
					maxRef[g] = c
				}
			}
		}
		s.RefLen += best
		for g, c := range ngrams(ht, 4) {
			n := strings.Count(g, "\x00")
			total[n] += c
			correct[n] += min(c, maxRef[g])
		}
	}
	smooth := 1.0
	logSum := 0.0
	for n := 0; n < 4; n++ {
		switch {
		case total[n] == 0:
			s.Precisions[n] = 0
		case correct[n] == 0:
			smooth *= 2
			s.Precisions[n] = 100 / (smooth * float64(total[n]))
		default:
			s.Precisions[n] = 100 * float64(correct[n]) / float64(total[n])
		}
		if s.Precisions[n] == 0 {
			logSum = math.Inf(-1)
		} else {
			logSum += math.Log(s.Precisions[n])
		}
	}
	s.BP = 1
	if s.HypLen == 0 {
		s.BP = 0
	} else if s.HypLen < s.RefLen {
		s.BP = math.Exp(1 - float64(s.RefLen)/float64(s.HypLen))
	}
	if !math.IsInf(logSum, -1) {
		s.Score = s.BP * math.Exp(logSum/4)
	}
	return s, nil
}

// ChrF is sacreBLEU's corpus chrF with its defaults (character n-grams of
// 1 to 6, whitespace removed, beta 2, no word n-grams): the character
// n-gram statistics of each sentence against the reference that scores it
// best are summed over the corpus, and the score, in [0, 100], is the
// F-beta of the precision and recall averaged over the n-gram orders.
func ChrF(hyps []string, refs [][]string) (float64, error) {
	if err := checkRefs(hyps, refs); err != nil {
		return 0, errors.Wrap(err, "chrf")
	}
	const order = 6
	var sum [3 * order]float64
	for i, h := range hyps {
		hg := charNgrams(h, order)
		var best []float64
		bestF := -1.0
		for _, set := range refs {
			rg := charNgrams(set[i], order)
			st := make([]float64, 3*order)
			for n := 0; n < order; n++ {
				var nh, nr, nm int
				for g, c := range hg[n] {
					nh += c
					nm += min(c, rg[n][g])
				}
				for _, c := range rg[n] {
					nr += c
				}
				st[3*n], st[3*n+1], st[3*n+2] = float64(nh), float64(nr), float64(nm)
			}
			if f := chrfScore(st); f > bestF {
				bestF, best = f, st
			}
		}
		for j, v := range best {
			sum[j] += v
		}
	}
	return chrfScore(sum[:]), nil
}

// chrfScore is sacreBLEU's F-beta (beta 2) of the precision and recall
// averaged over the orders that have hypothesis and reference n-grams.
func chrfScore(st []float64) float64 {
	const factor = 4.0 // beta²
	var p, r float64
	eff := 0
	for n := 0; n < len(st)/3; n++ {
		nh, nr, nm := st[3*n], st[3*n+1], st[3*n+2]
		if nh > 0 && nr > 0 {
			p += nm / nh
			r += nm / nr
			eff++
		}
	}
	if eff == 0 {
		return 0
	}
	p, r = p/float64(eff), r/float64(eff)
	if p+r == 0 {
		return 0
	}
	return 100 * (1 + factor) * p * r / (factor*p + r)
}

func checkRefs(hyps []string, refs [][]string) error {
	if len(refs) == 0 {
		return errors.New("no references")
	}
	for r, set := range refs {
		if len(set) != len(hyps) {
			return errors.Errorf("reference set %d has %d sentences, the hypotheses %d", r, len(set), len(hyps))
		}
	}
	return nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ngrams counts the 1- to n-grams of tokens, each a string of its tokens
// joined by NUL (so a k-gram holds k-1 NULs).
func ngrams(tokens []string, n int) map[string]int {
	out := map[string]int{}
	for k := 1; k <= n; k++ {
		for i := 0; i+k <= len(tokens); i++ {
			out[strings.Join(tokens[i:i+k], "\x00")]++
		}
	}
	return out
}

// charNgrams counts the character n-grams of s without its whitespace,
// one map per order 1..n.
func charNgrams(s string, n int) []map[string]int {
	var rs []rune
	for _, r := range s {
		if !unicode.IsSpace(r) {
			rs = append(rs, r)
		}
	}
	out := make([]map[string]int, n)
	for k := 1; k <= n; k++ {
		out[k-1] = map[string]int{}
		for i := 0; i+k <= len(rs); i++ {
			out[k-1][string(rs[i:i+k])]++
		}
	}
	return out
}

// The rules of sacreBLEU's 13a tokenizer (mteval-v13a): punctuation and
// symbols apart, periods and commas apart unless next to digits, a dash
// after a digit apart.
var (
	tok13aPunct  = regexp.MustCompile(`([\{-\~\[-\x60 -\&\(-\+\:-\@\/])`)
	tok13aPeriod = regexp.MustCompile(`([^0-9])([\.,])`)
	tok13aComma  = regexp.MustCompile(`([\.,])([^0-9])`)
	tok13aDash   = regexp.MustCompile(`([0-9])(-)`)
)

// tokenize13a is sacreBLEU's 13a tokenization of one line.
func tokenize13a(line string) string {
	line = strings.ReplaceAll(line, "<skipped>", "")
	line = strings.ReplaceAll(line, "-\n", "")
	line = strings.ReplaceAll(line, "\n", " ")
	if strings.Contains(line, "&") {
		line = strings.NewReplacer("&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(line)
	}
	line = " " + line + " "
	line = tok13aPunct.ReplaceAllString(line, " $1 ")
	line = tok13aPeriod.ReplaceAllString(line, "$1 $2 ")
	line = tok13aComma.ReplaceAllString(line, " $1 $2")
	line = tok13aDash.ReplaceAllString(line, "$1 $2 ")
	return strings.Join(strings.Fields(line), " ")
}
