package fleetpkg

import (
	"errors"
	"math"
)

// Matrix is a dense row-major matrix.
type Matrix [][]float64

// ErrShape reports matrices whose sizes do not fit together.
var ErrShape = errors.New("fleetpkg: matrix shapes do not match")

// Identity returns the n×n identity matrix.
func Identity(n int) Matrix {
	m := make(Matrix, n)
	for i := range m {
		m[i] = make([]float64, n)
		m[i][i] = 1
	}
	return m
}

// Mul returns a×b.
func Mul(a, b Matrix) (Matrix, error) {
	if len(a) == 0 || len(b) == 0 || len(a[0]) != len(b) {
		return nil, ErrShape
	}
	out := make(Matrix, len(a))
	for i := range a {
		out[i] = make([]float64, len(b[0]))
		for j := range b[0] {
			var sum float64
			for k := range b {
				sum += a[i][k] * b[k][j]
			}
			out[i][j] = sum
		}
	}
	return out, nil
}

// Det returns the determinant, by Gaussian elimination with partial pivoting.
func Det(m Matrix) float64 {
	n := len(m)
	a := make(Matrix, n)
	for i := range m {
		a[i] = append([]float64(nil), m[i]...)
	}
	det := 1.0
	for col := 0; col < n; col++ {
		pivot := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		if a[pivot][col] == 0 {
			return 0
		}
		if pivot != col {
			a[pivot], a[col] = a[col], a[pivot]
			det = -det
		}
		det *= a[col][col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < n; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	return det
}
