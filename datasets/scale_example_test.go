package datasets_test

import (
	"fmt"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

func ExampleStandardScaler() {
	train := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 100, 3, 100, 5, 100, 7, 100}))
	test := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{9, 50}))
	var s datasets.StandardScaler
	if err := s.Fit(train); err != nil { // statistics of the training rows only
		fmt.Println(err)
		return
	}
	out, err := s.Transform(test)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Feature 0: mean 4, std sqrt(5); feature 1 is constant, so its scale is 1.
	fmt.Println(s.Mean, s.Scale)
	fmt.Printf("%.4f\n", out.Data())
	// Output:
	// [4 100] [2.23606797749979 1]
	// [2.2361 -50.0000]
}

func ExampleMinMaxScaler() {
	train := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{10, 20, 30}))
	s := datasets.MinMaxScaler{Min: -1, Max: 1}
	if err := s.Fit(train); err != nil {
		fmt.Println(err)
		return
	}
	out, err := s.Transform(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{15, 40})))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Dtype(), out.Data())
	// Output: float32 [-0.5 2]
}

func ExampleRescale() {
	pixels := tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float32{0, 51, 204, 255}))
	out, err := (&datasets.Rescale{}).Transform(pixels) // zero Factor: 1/255
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Shape(), out.Data())
	// Output: (1, 2, 2) [0 0.2 0.8 1]
}

func ExampleMarshalTransformer() {
	p := &datasets.Pipeline{Steps: []datasets.Transformer{&datasets.SimpleImputer{}, &datasets.MinMaxScaler{}}}
	if err := p.Fit(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{2, 4}))); err != nil {
		fmt.Println(err)
		return
	}
	b, err := datasets.MarshalTransformer(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	back, err := datasets.UnmarshalTransformer(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := back.Transform(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{3})))
	fmt.Println(out.Data(), err)
	// Output:
	// {"kind":"pipeline","config":{"steps":[{"kind":"simple_imputer","config":{"strategy":"mean","value":0,"features":[1],"statistics":[3]}},{"kind":"min_max_scaler","config":{"min":0,"max":0,"features":[1],"data_min":[2],"data_max":[4]}}]}}
	// [0.5] <nil>
}
