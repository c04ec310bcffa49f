// Package text reads the real text the language examples train on, from
// Debian packages (nothing is downloaded): fortune databases (fortunes,
// fortunes-es, fortunes-de, fortunes-it) and gettext catalogs (.mo files
// under /usr/share/locale), and turns it into ids.
package text

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// FortuneDir is where Debian's fortune packages put their databases.
const FortuneDir = "/usr/share/games/fortunes"

// Fortunes reads every fortune database in dir (not its subfolders): the
// fortunes, in file order, each as its text. A database is a text file of
// fortunes separated by lines holding "%"; the index files (.dat) are
// skipped, and the UTF-8 copy (.u8) is read where a package ships one.
// Text that is not UTF-8 is read as Latin-1.
func Fortunes(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.Wrap(err, "fortunes")
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".dat") || strings.HasSuffix(name, ".u8") {
			continue
		}
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path + ".u8"); err == nil {
			path += ".u8"
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, errors.Wrap(err, "fortunes")
		}
		s := string(raw)
		if !utf8.ValidString(s) {
			s = latin1(raw)
		}
		for _, f := range strings.Split(s, "\n%\n") {
			if f = strings.TrimSpace(strings.TrimSuffix(f, "%")); f != "" {
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.Errorf("fortunes: no fortunes in %s (is the package installed?)", dir)
	}
	return out, nil
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

var (
	spaces   = regexp.MustCompile(`\s+`)
	sentence = regexp.MustCompile(`[^.!?]+[.!?]+`)
)

// Sentences splits a fortune into its sentences: attribution lines
// ("-- Author") dropped, lines joined, whitespace collapsed, cut after each
// run of . ! or ?; only those of min to max characters are kept.
func Sentences(fortune string, min, max int) []string {
	var lines []string
	for _, l := range strings.Split(fortune, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "--") || strings.HasPrefix(t, "—") {
			continue
		}
		lines = append(lines, l)
	}
	joined := spaces.ReplaceAllString(strings.Join(lines, " "), " ")
	var out []string
	for _, s := range sentence.FindAllString(joined, -1) {
		s = strings.TrimSpace(s)
		if n := utf8.RuneCountInString(s); n >= min && n <= max {
			out = append(out, s)
		}
	}
	return out
}

// Pair is one message of a gettext catalog: the English original and its
// translation.
type Pair struct{ Source, Target string }

// ReadMO reads a compiled gettext catalog (.mo): its translated messages,
// in the file's order. The header (the empty message) is skipped; of a
// plural message, the singular forms are kept; a context ("ctx\x04msg")
// is dropped from the original. A file that is not a catalog is an error
// naming it.
func ReadMO(path string) ([]Pair, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrap(err, "read mo")
	}
	pairs, err := ParseMO(b)
	if err != nil {
		return nil, errors.Wrapf(err, "read mo %s", path)
	}
	return pairs, nil
}

// ParseMO parses the bytes of a .mo file (see ReadMO).
func ParseMO(b []byte) ([]Pair, error) {
	if len(b) < 28 {
		return nil, errors.Errorf("%d bytes, too short for a catalog", len(b))
	}
	var order binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint32(b) == 0x950412de:
		order = binary.LittleEndian
	case binary.BigEndian.Uint32(b) == 0x950412de:
		order = binary.BigEndian
	default:
		return nil, errors.Errorf("magic %#x is not a gettext catalog's", binary.LittleEndian.Uint32(b))
	}
	n := int(order.Uint32(b[8:]))
	origTab, transTab := int(order.Uint32(b[12:])), int(order.Uint32(b[16:]))
	if n < 0 || origTab < 0 || transTab < 0 || origTab+8*n > len(b) || transTab+8*n > len(b) {
		return nil, errors.Errorf("%d messages do not fit in %d bytes", n, len(b))
	}
	str := func(tab, i int) (string, error) {
		l, off := int(order.Uint32(b[tab+8*i:])), int(order.Uint32(b[tab+8*i+4:]))
		if l < 0 || off < 0 || off+l > len(b) {
			return "", errors.Errorf("message %d lies outside the file", i)
		}
		return string(b[off : off+l]), nil
	}
	var out []Pair
	for i := 0; i < n; i++ {
		src, err := str(origTab, i)
		if err != nil {
			return nil, err
		}
		dst, err := str(transTab, i)
		if err != nil {
			return nil, err
		}
		if src == "" {
			continue // the header
		}
		if j := strings.IndexByte(src, 4); j >= 0 {
			src = src[j+1:]
		}
		src, _, _ = strings.Cut(src, "\x00")
		dst, _, _ = strings.Cut(dst, "\x00")
		if dst == "" || !utf8.ValidString(src) || !utf8.ValidString(dst) {
			continue
		}
		out = append(out, Pair{src, dst})
	}
	return out, nil
}

// Catalogs reads every .mo file in dir (a locale's LC_MESSAGES) and
// returns their messages, sorted by file name, and the files read.
func Catalogs(dir string) ([]Pair, []string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.mo"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(files)
	var out []Pair
	var read []string
	for _, f := range files {
		ps, err := ReadMO(f)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, ps...)
		read = append(read, filepath.Base(f))
	}
	if len(out) == 0 {
		return nil, nil, errors.Errorf("catalogs: no messages in %s", dir)
	}
	return out, read, nil
}

// Vocab maps tokens to ids: 0 is padding, 1 an unknown token, then the
// reserved tokens, then the tokens kept, most frequent first.
type Vocab struct {
	tokens []string
	ids    map[string]int
}

// Padding and Unknown are the ids every Vocab reserves.
const (
	Padding = 0
	Unknown = 1
)

// NewVocab keeps the at most max (0: all) tokens seen at least minCount
// times in docs (each a list of tokens), after the reserved ones.
func NewVocab(docs [][]string, max, minCount int, reserved ...string) *Vocab {
	counts := map[string]int{}
	for _, d := range docs {
		for _, t := range d {
			counts[t]++
		}
	}
	var keep []string
	for t, c := range counts {
		if c >= minCount {
			keep = append(keep, t)
		}
	}
	sort.Slice(keep, func(i, j int) bool {
		if counts[keep[i]] != counts[keep[j]] {
			return counts[keep[i]] > counts[keep[j]]
		}
		return keep[i] < keep[j]
	})
	if max > 0 && len(keep) > max {
		keep = keep[:max]
	}
	v := &Vocab{tokens: append([]string{"<pad>", "<unk>"}, reserved...), ids: map[string]int{}}
	for _, t := range reserved {
		v.ids[t] = len(v.ids) + 2
	}
	for _, t := range keep {
		if _, ok := v.ids[t]; !ok {
			v.ids[t] = len(v.tokens)
			v.tokens = append(v.tokens, t)
		}
	}
	return v
}

// Size is the number of ids.
func (v *Vocab) Size() int { return len(v.tokens) }

// ID is the id of a token, Unknown when it was not kept.
func (v *Vocab) ID(t string) int {
	if id, ok := v.ids[t]; ok {
		return id
	}
	return Unknown
}

// Token is the token of an id ("<unk>" for Unknown).
func (v *Vocab) Token(id int) string {
	if id < 0 || id >= len(v.tokens) {
		return "<unk>"
	}
	return v.tokens[id]
}

// Encode returns the ids of tokens, cut or padded (with Padding, after)
// to n.
func (v *Vocab) Encode(tokens []string, n int) []int {
	out := make([]int, n)
	for i := 0; i < n && i < len(tokens); i++ {
		out[i] = v.ID(tokens[i])
	}
	return out
}

// Chars splits s into its characters.
func Chars(s string) []string {
	out := make([]string, 0, len(s))
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

var wordRE = regexp.MustCompile(`\p{L}+|\p{N}+|%[a-zA-Z0-9.$-]*[a-zA-Z]|[^\s\p{L}\p{N}]`)

// Words splits s into words, numbers, printf verbs (%s, %d, %-8s) and
// single symbols, keeping case.
func Words(s string) []string { return wordRE.FindAllString(s, -1) }

// Detokenize joins words back into text: no space before closing
// punctuation or after an opening one.
func Detokenize(words []string) string {
	var sb bytes.Buffer
	for i, w := range words {
		if i > 0 && !strings.ContainsAny(w, ".,;:!?)]}'\"") && !strings.ContainsAny(words[i-1], "([{¿¡'\"") {
			sb.WriteByte(' ')
		} else if i > 0 && len(w) > 1 {
			sb.WriteByte(' ')
		}
		sb.WriteString(w)
	}
	return sb.String()
}
