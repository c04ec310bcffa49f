package serve_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/serve"
)

// A model of three features and two classes, served; a real server would
// load the model with models.Load and run s.Serve(ctx, listener).
func Example() {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{3}},
		&layers.Dense{Units: 2, Activation: layers.Softmax},
	)
	m.ClassNames = []string{"no", "yes"}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 1}); err != nil {
		log.Fatal(err)
	}
	s, err := serve.New(m, serve.Options{Replicas: 2})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	for _, body := range []string{
		`{"instances": [[0.1, 0.2, 0.3], [1, 0, -1]]}`,
		`{"instances": [[0.1, 0.2]]}`,
	} {
		resp, err := http.Post(ts.URL+"/v1/predict", "application/json", strings.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			// The probabilities depend on the weights; show the shape.
			fmt.Println(resp.StatusCode, strings.Count(string(answer), "["), "lists,", strings.Count(string(answer), `"yes"`)+strings.Count(string(answer), `"no"`), "classes")
			continue
		}
		fmt.Print(resp.StatusCode, " ", string(answer))
	}
	// Output:
	// 200 4 lists, 2 classes
	// 400 {"error":"instance 0 has 2 values, the model takes 3 (shape (None, 3))"}
}
