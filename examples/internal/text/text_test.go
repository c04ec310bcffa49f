package text

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// buildMO writes a little-endian catalog of msgs (original, translation).
func buildMO(msgs [][2]string) []byte {
	n := len(msgs)
	var head, strs bytes.Buffer
	le := binary.LittleEndian
	w := func(b *bytes.Buffer, v uint32) { binary.Write(b, le, v) }
	w(&head, 0x950412de)
	w(&head, 0)
	w(&head, uint32(n))
	w(&head, 28)
	w(&head, uint32(28+8*n))
	w(&head, 0)
	w(&head, 0)
	base := 28 + 16*n
	var orig, trans bytes.Buffer
	for _, side := range []int{0, 1} {
		for _, m := range msgs {
			tab := &orig
			if side == 1 {
				tab = &trans
			}
			w(tab, uint32(len(m[side])))
			w(tab, uint32(base+strs.Len()))
			strs.WriteString(m[side])
			strs.WriteByte(0)
		}
	}
	return append(append(append(head.Bytes(), orig.Bytes()...), trans.Bytes()...), strs.Bytes()...)
}

func TestParseMO(t *testing.T) {
	b := buildMO([][2]string{
		{"", "Content-Type: text/plain; charset=UTF-8\n"},
		{"File not found", "Archivo no encontrado"},
		{"%d file\x00%d files", "%d archivo\x00%d archivos"},
		{"menu\x04Open", "Abrir"},
		{"Untranslated", ""},
	})
	got, err := ParseMO(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"File not found", "Archivo no encontrado"}, {"%d file", "%d archivo"}, {"Open", "Abrir"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pairs %q, want %q", got, want)
	}
	if _, err := ParseMO([]byte("not a catalog, just some text here")); err == nil || !strings.Contains(err.Error(), "not a gettext catalog") {
		t.Errorf("bad magic: %v", err)
	}
	if _, err := ParseMO(b[:40]); err == nil {
		t.Error("a cut catalog: no error")
	}
}

func TestFortunesAndSentences(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("One. Two words here!\n\t-- Someone\n%\nCaf\xe9 ol\xe9.\n%\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.dat"), []byte{1, 2, 3}, 0o644)
	got, err := Fortunes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != "Café olé." {
		t.Fatalf("fortunes %q", got)
	}
	if s := Sentences(got[0], 4, 100); !reflect.DeepEqual(s, []string{"One.", "Two words here!"}) {
		t.Errorf("sentences %q", s)
	}
	if _, err := Fortunes(t.TempDir()); err == nil {
		t.Error("an empty folder: no error")
	}
}

func TestVocabAndWords(t *testing.T) {
	v := NewVocab([][]string{{"a", "b", "a"}, {"c", "a", "b"}}, 2, 1, "<s>")
	if v.Size() != 5 || v.ID("a") != 3 || v.ID("b") != 4 || v.ID("c") != Unknown || v.ID("<s>") != 2 {
		t.Errorf("vocab %v", v.tokens)
	}
	if got := v.Encode([]string{"b", "c"}, 4); !reflect.DeepEqual(got, []int{4, 1, 0, 0}) {
		t.Errorf("encode %v", got)
	}
	if got := Words("Can't open %s: 3 files."); !reflect.DeepEqual(got, []string{"Can", "'", "t", "open", "%s", ":", "3", "files", "."}) {
		t.Errorf("words %q", got)
	}
}
