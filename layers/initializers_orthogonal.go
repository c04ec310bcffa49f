package layers

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
)

// Orthogonal fills a weight with a (semi-)orthogonal matrix times Gain:
// Keras's orthogonal. A shape [d1, ..., dk] is treated as the matrix
// [d1*...*d(k-1), dk]; its rows are orthonormal when it is wide and its
// columns when it is square or tall, so W^T W = Gain² I for a tall or square
// W and W W^T = Gain² I for a wide one.
//
// As in Keras, Fill draws a normal matrix [max(r, c), min(r, c)], takes the
// Q of its QR decomposition with R's diagonal made positive (the sign
// correction), and transposes it when the weight is wide. The shape must have
// at least two dimensions.
type Orthogonal struct {
	// Gain multiplies the orthogonal matrix; zero means 1.
	Gain float64
}

// Fill implements Initializer.
func (o Orthogonal) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	if _, err := checkFill(rng, shape, dst, true); err != nil {
		return err
	}
	if len(shape) < 2 {
		return errors.Errorf("orthogonal: shape must have at least 2 dimensions, got %v", shape)
	}
	gain := o.Gain
	if gain == 0 {
		gain = 1
	}
	rows := 1
	for _, d := range shape[:len(shape)-1] {
		rows *= d
	}
	cols := shape[len(shape)-1]
	m, n := max(rows, cols), min(rows, cols)
	a := make([]float64, m*n) // row-major [m, n]
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	if err := orthonormalizeColumns(a, m, n); err != nil {
		return err
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if rows >= cols {
				dst[i*cols+j] = gain * a[i*n+j]
			} else {
				dst[i*cols+j] = gain * a[j*n+i] // transposed
			}
		}
	}
	return nil
}

// orthonormalizeColumns replaces the columns of the row-major [m, n] matrix
// a (m >= n) by the Q of its thin QR decomposition with a positive diagonal
// in R. It uses Gram-Schmidt with a second orthogonalization pass, which is
// orthogonal to rounding error, and gives the same Q as Householder QR
// followed by Keras's sign correction (that Q is unique).
func orthonormalizeColumns(a []float64, m, n int) error {
	col := make([]float64, m)
	for j := 0; j < n; j++ {
		for i := 0; i < m; i++ {
			col[i] = a[i*n+j]
		}
		for pass := 0; pass < 2; pass++ {
			for k := 0; k < j; k++ {
				var dot float64
				for i := 0; i < m; i++ {
					dot += a[i*n+k] * col[i]
				}
				for i := 0; i < m; i++ {
					col[i] -= dot * a[i*n+k]
				}
			}
		}
		var norm float64
		for _, v := range col {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		if norm == 0 || math.IsNaN(norm) {
			return errors.Errorf("orthogonal: column %d of the random matrix is degenerate", j)
		}
		for i := 0; i < m; i++ {
			a[i*n+j] = col[i] / norm
		}
	}
	return nil
}
