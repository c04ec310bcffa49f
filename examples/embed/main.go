// Command embed is a digit classifier in one static binary: the saved model
// is compiled in with go:embed, so the program needs no files beside it.
//
// Build it with cgo off, for a binary that runs on any Linux of its
// architecture:
//
//	CGO_ENABLED=0 go build -o digits ./examples/embed
//	echo "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0" | ./digits
//
// Each input line is an 8x8 image of 64 pixel values in 0..16 (the UCI
// digits format); each output line is the predicted digit and its
// probability. The model in model/ was made by
//
//	go run ./cmd/profundo train --out examples/embed/model
//
// and its saved preprocessing standardizes the raw pixels.
package main

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/models"
)

//go:embed model
var modelFS embed.FS

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(in io.Reader, out io.Writer) error {
	m, err := models.LoadFS(modelFS, "model", models.LoadOptions{})
	if err != nil {
		return err
	}
	size := m.InputShapes()[0].Size()
	sc := bufio.NewScanner(in)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		cells := strings.Split(text, ",")
		if len(cells) != size {
			return fmt.Errorf("line %d has %d values, the model takes %d", line, len(cells), size)
		}
		x := make([]float64, size)
		for i, c := range cells {
			if x[i], err = strconv.ParseFloat(strings.TrimSpace(c), 64); err != nil {
				return fmt.Errorf("line %d, value %d: %q is not a number", line, i+1, c)
			}
		}
		probss, err := m.Predict(context.Background(), tensor.New(tensor.WithShape(1, size), tensor.WithBacking(x)))
		if err != nil {
			return err
		}
		probs := probss[0]
		p := probs.Data().([]float32)
		best := 0
		for k := range p {
			if p[k] > p[best] {
				best = k
			}
		}
		fmt.Fprintf(out, "%s %.4f\n", m.ClassNames[best], p[best])
	}
	return sc.Err()
}
