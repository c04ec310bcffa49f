package datasets_test

import (
	"bytes"
	"compress/gzip"
	"fmt"

	"github.com/profundo/profundo/datasets"
)

func ExampleReadIDX() {
	// An IDX file of 2 images of 2x3 unsigned bytes: the magic number
	// 0x00000803, the dims as big-endian uint32, then the pixels.
	file := []byte{
		0, 0, 8, 3,
		0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
		0, 1, 2, 3, 4, 5,
		6, 7, 8, 9, 10, 11,
	}
	m, err := datasets.ReadIDX(bytes.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("magic %#08x dims %v data %v\n", m.Magic(), m.Dims, m.Data)

	// A file cut short is an error that says what is missing.
	_, err = datasets.ReadIDX(bytes.NewReader(file[:20]))
	fmt.Println(err)
	// Output:
	// magic 0x00000803 dims [2 2 3] data [0 1 2 3 4 5 6 7 8 9 10 11]
	// idx: truncated: dims [2 2 3] need 12 bytes of data after the 16-byte header, the input holds 4
}

func ExampleReadIDXImages() {
	// Two 2x2 images, gzipped as MNIST's files are.
	var file bytes.Buffer
	zw := gzip.NewWriter(&file)
	m := &datasets.IDX{Dims: []int{2, 2, 2}, Data: []byte{0, 51, 102, 255, 255, 204, 153, 0}}
	if _, err := m.WriteTo(zw); err != nil {
		fmt.Println(err)
		return
	}
	if err := zw.Close(); err != nil {
		fmt.Println(err)
		return
	}
	x, err := datasets.ReadIDXImages(bytes.NewReader(file.Bytes()))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Channels last, pixels scaled to [0, 1].
	fmt.Println(x.Shape(), x.Data())

	// Images are not labels.
	_, err = datasets.ReadIDXLabels(bytes.NewReader(file.Bytes()))
	fmt.Println(err)
	// Output:
	// (2, 2, 2, 1) [0 0.2 0.4 1 1 0.8 0.6 0]
	// idx (gzip): magic number 0x00000803 at offset 0, want 0x00000801 (unsigned-byte labels [n])
}
