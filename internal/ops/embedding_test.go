package ops_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

// TestEmbeddingValuesAndGradient looks up rows by hand-picked ids (one
// repeated) in float32 and float64, twice on one machine, and checks the
// table's gradient: the rows of dy added up by id.
func TestEmbeddingValuesAndGradient(t *testing.T) {
	table := []float64{ // [4, 2]
		0, 1,
		10, 11,
		20, 21,
		30, 31,
	}
	ids := []float64{2, 0, 2, 3} // [2, 2]
	r := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		x := gorgonia.NodeFromAny(g, toDtype(ids, dt, 2, 2), gorgonia.WithName("ids"))
		w := gorgonia.NodeFromAny(g, toDtype(table, dt, 4, 2), gorgonia.WithName("table"))
		rn := gorgonia.NodeFromAny(g, toDtype(r, dt, 2, 2, 2), gorgonia.WithName("r"))
		y, err := ops.Embedding(x, w, "emb")
		if err != nil {
			t.Fatal(err)
		}
		if want := (tensor.Shape{2, 2, 2}); !y.Shape().Eq(want) {
			t.Fatalf("shape %v, want %v", y.Shape(), want)
		}
		var yv gorgonia.Value
		gorgonia.Read(y, &yv)
		cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn))))
		if _, err := gorgonia.Grad(cost, w); err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
		for run := 0; run < 2; run++ {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			close(t, "y", float64s(t, yv), []float64{20, 21, 0, 1, 20, 21, 30, 31}, 0)
			gv, _ := w.Grad()
			// Row 2 gets r's rows 0 and 2, row 0 row 1, row 3 row 3, row 1 nothing.
			close(t, "dtable", float64s(t, gv), []float64{3, 4, 0, 0, 1 + 5, 2 + 6, 7, 8}, 0)
			vm.Reset()
			gv.(*tensor.Dense).Zero()
		}
		vm.Close()
	}
}

func TestEmbeddingGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	g := gorgonia.NewGraph()
	ids := make([]float64, 3*5)
	for i := range ids {
		ids[i] = float64(rng.Intn(4))
	}
	x := gorgonia.NodeFromAny(g, toDtype(ids, tensor.Float64, 3, 5), gorgonia.WithName("ids"))
	w := gorgonia.NodeFromAny(g, toDtype(randSlice(rng, 4*3), tensor.Float64, 4, 3), gorgonia.WithName("table"))
	y, err := ops.Embedding(x, w, "emb")
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Square(y))))
	if err := gradcheck.Graph(cost, gorgonia.Nodes{w}, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
}

// The ids are not differentiable: asking for their gradient is an error.
func TestEmbeddingIDsAreNotDifferentiable(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, toDtype([]float64{0, 1}, tensor.Float64, 2), gorgonia.WithName("ids"))
	w := gorgonia.NodeFromAny(g, toDtype([]float64{1, 2}, tensor.Float64, 2, 1), gorgonia.WithName("table"))
	y, err := ops.Embedding(x, w, "emb")
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(y))
	if _, err := gorgonia.Grad(cost, x); err == nil {
		t.Fatal("Grad with respect to the ids succeeded, want an error")
	}
}

func TestEmbeddingBadIDs(t *testing.T) {
	tests := []struct {
		name string
		id   float64
		want string
	}{
		{"too large", 1234, `embedding "words": id 1234 at [1 2] is outside the vocabulary of 1000`},
		{"vocabulary size", 1000, `id 1000 at [1 2] is outside the vocabulary of 1000`},
		{"negative", -1, `id -1 at [1 2] is outside the vocabulary of 1000`},
		{"fraction", 2.5, `embedding "words": id 2.5 at [1 2] is not an integer`},
		{"nan", math.NaN(), `id NaN at [1 2] is not an integer`},
		{"inf", math.Inf(1), `id +Inf at [1 2] is outside`},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(tt.name+" "+dt.String(), func(t *testing.T) {
				ids := make([]float64, 2*3)
				ids[5] = tt.id
				g := gorgonia.NewGraph()
				x := gorgonia.NodeFromAny(g, toDtype(ids, dt, 2, 3), gorgonia.WithName("ids"))
				w := gorgonia.NodeFromAny(g, tensor.New(tensor.Of(dt), tensor.WithShape(1000, 2)), gorgonia.WithName("table"))
				if _, err := ops.Embedding(x, w, "words"); err != nil {
					t.Fatal(err)
				}
				vm := gorgonia.NewTapeMachine(g)
				defer vm.Close()
				err := vm.RunAll()
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("run: %v, want an error containing %q", err, tt.want)
				}
			})
		}
	}
}

func TestEmbeddingBuildErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	ids := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("ids"))
	ids32 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("ids32"))
	table := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(5, 2), gorgonia.WithName("table"))
	vec := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(5), gorgonia.WithName("vec"))
	for _, tc := range []struct {
		name       string
		ids, table *gorgonia.Node
		want       string
	}{
		{"nil", nil, table, "nil ids or table"},
		{"1-D table", ids, vec, "table must be [vocab, dim]"},
		{"mixed dtypes", ids32, table, "want the same dtype"},
	} {
		if _, err := ops.Embedding(tc.ids, tc.table, "e"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestNonZero(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		x := gorgonia.NodeFromAny(g, toDtype([]float64{0, 3, 1, 0, 0, 7}, dt, 2, 3), gorgonia.WithName("ids"))
		m, err := ops.NonZero(x)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		for run := 0; run < 2; run++ {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if m.Dtype() != dt || !m.Shape().Eq(tensor.Shape{2, 3}) {
				t.Fatalf("mask %v %v, want %v (2, 3)", m.Dtype(), m.Shape(), dt)
			}
			close(t, "mask", float64s(t, m.Value()), []float64{0, 1, 1, 0, 0, 1}, 0)
			vm.Reset()
		}
		vm.Close()
	}
}

// A cost that uses both the embedding and the mask of its ids still
// differentiates with respect to the table: the mask is a dead end.
func TestNonZeroIsADeadEndForGradients(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, toDtype([]float64{0, 1, 2}, tensor.Float64, 3), gorgonia.WithName("ids"))
	w := gorgonia.NodeFromAny(g, toDtype([]float64{1, 2, 3}, tensor.Float64, 3, 1), gorgonia.WithName("table"))
	y, err := ops.Embedding(x, w, "emb")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ops.NonZero(x)
	if err != nil {
		t.Fatal(err)
	}
	y2, err := gorgonia.Reshape(y, tensor.Shape{3})
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y2, m))))
	if err := gradcheck.Graph(cost, gorgonia.Nodes{w}, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
}
