package ops

import (
	"github.com/profundo/profundo/internal/blas"
	"github.com/profundo/profundo/internal/parallel"
)

// rnnGeom is the geometry of a fused recurrent op: batch B, steps S,
// features F, units U, gates G (1, 3 or 4), and the number of steps of
// the output that hold every step's output (S or 0).
type rnnGeom struct {
	cell                  RecurrentCell
	act, ract             RecurrentActivation
	b, s, f, u, g, nOut   int
	nStates               int
	backwards, zeroMasked bool
}

// rnnBufs are a fused recurrent op's buffers in one element type, kept
// from run to run. Every sequence buffer is time-major, in the order the
// steps are processed: row i*B+b is sample b at processing step i.
type rnnBufs[T float] struct {
	xt    []T    // [S*B, F] the input
	a     []T    // [S*B, G*U] the gates' activations
	h     []T    // [(S+1)*B, U] h before step 0 (the initial state) and after each step
	c     []T    // [(S+1)*B, U] LSTM's cell state, likewise
	tc    []T    // [S*B, U] LSTM's φ(c) of each step
	rh    []T    // [S*B, U] GRU: h·U_h + r_h (reset after), or r ⊙ h (reset before)
	hin   []T    // [S*B, U] h where it enters U, after recurrent dropout; nil without it
	rec   []T    // [B, 3U] GRU's recurrent product of one step
	valid []bool // [S*B] whether the mask marks the step valid

	dz, dzr  []T // [S*B, G*U] gradients of the pre-activations: input side, recurrent side (GRU reset after)
	dh, dc   []T // [B, U] gradients of the states being carried back
	tmp, tm2 []T // [B, U]
	dxt      []T // [S*B, F]
	ones     []T // [S*B] ones

	// The recurrent kernel packed for the products of the steps (float32
	// only): forward U (or its two parts), backward Uᵀ (or its parts).
	pf, pb [2]blas.PackedB
}

// packFor packs op(b), k×n, into p when T is float32.
func packFor[T float](p *blas.PackedB, tB blas.Transpose, k, n int, b []T, ldb int) {
	if b32, ok := any(b).([]float32); ok {
		p.Pack(tB, k, n, b32, ldb)
	}
}

// stepGemm computes c = a·op(b) + beta·c, op(b) k×n: with p, op(b)
// packed by packFor, in float32; with gemm in float64.
func stepGemm[T float](p *blas.PackedB, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if a32, ok := any(a).([]float32); ok {
		p.Sgemm(m, a32, lda, float32(beta), any(c).([]float32), ldc)
		return
	}
	gemm(blas.NoTrans, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

func grow[T float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// stepOf returns rows [i*B, (i+1)*B) of a time-major buffer of width w.
func stepOf[T float](g *rnnGeom, buf []T, i, w int) []T { return buf[i*g.b*w : (i+1)*g.b*w] }

// time returns the time index of processing step i.
func (g *rnnGeom) time(i int) int {
	if g.backwards {
		return g.s - 1 - i
	}
	return i
}

// rnnForward runs the recurrence over x [B, S, F] and writes out, [B,
// nOut+nStates, U]: every step's output in the order processed (when nOut
// is S), then the final states. bias is [G*U] (GRU reset after: [2*3U],
// the input bias then the recurrent one) or nil; h0, c0, mask [B, S] and
// rdrop [B, U] may be nil.
func rnnForward[T float](g *rnnGeom, k *rnnBufs[T], x, w, u, bias, h0, c0, mask, rdrop, out []T) {
	B, S, F, U, G := g.b, g.s, g.f, g.u, g.g
	GU := G * U
	k.xt = grow(k.xt, S*B*F)
	k.a = grow(k.a, S*B*GU)
	k.h = grow(k.h, (S+1)*B*U)
	if g.cell == CellLSTM {
		k.c = grow(k.c, (S+1)*B*U)
		k.tc = grow(k.tc, S*B*U)
	}
	if g.cell == CellGRU || g.cell == CellGRUResetBefore {
		k.rh = grow(k.rh, S*B*U)
		k.rec = grow(k.rec, B*3*U)
	}
	if rdrop != nil {
		k.hin = grow(k.hin, S*B*U)
	}
	if cap(k.valid) < S*B {
		k.valid = make([]bool, S*B)
	}
	k.valid = k.valid[:S*B]
	for i := 0; i < S; i++ {
		t := g.time(i)
		for b := 0; b < B; b++ {
			copy(k.xt[(i*B+b)*F:(i*B+b+1)*F], x[(b*S+t)*F:(b*S+t+1)*F])
			k.valid[i*B+b] = mask == nil || mask[b*S+t] != 0
		}
	}
	// The input projection of every step: one GEMM.
	var inBias, recBias []T
	if bias != nil {
		inBias = bias[:GU]
		if g.cell == CellGRU {
			recBias = bias[GU : 2*GU]
		}
	}
	beta := T(0)
	if inBias != nil {
		for r := 0; r < S*B; r++ {
			copy(k.a[r*GU:(r+1)*GU], inBias)
		}
		beta = 1
	}
	gemm(blas.NoTrans, blas.NoTrans, S*B, GU, F, k.xt, F, w, GU, beta, k.a, GU)

	if h0 != nil {
		copy(k.h[:B*U], h0)
	} else {
		clear(k.h[:B*U])
	}
	if g.cell == CellLSTM {
		if c0 != nil {
			copy(k.c[:B*U], c0)
		} else {
			clear(k.c[:B*U])
		}
	}
	if g.cell == CellGRUResetBefore {
		packFor(&k.pf[0], blas.NoTrans, U, 2*U, u, GU)
		packFor(&k.pf[1], blas.NoTrans, U, U, u[2*U:], GU)
	} else {
		packFor(&k.pf[0], blas.NoTrans, U, GU, u, GU)
	}
	// Samples do not interact: each CPU runs the recurrence of a range of
	// them, with no synchronization between the steps.
	parallel.For(B, S*B*GU*U, func(b0, b1 int) {
		nb := b1 - b0
		for i := 0; i < S; i++ {
			hprev := stepOf(g, k.h, i, U)
			hnext := stepOf(g, k.h, i+1, U)
			hin := hprev
			if rdrop != nil {
				hin = stepOf(g, k.hin, i, U)
				for j := b0 * U; j < b1*U; j++ {
					hin[j] = hprev[j] * rdrop[j]
				}
			}
			z := stepOf(g, k.a, i, GU)
			valid := k.valid[i*B : (i+1)*B]
			switch g.cell {
			case CellSimple:
				stepGemm(&k.pf[0], blas.NoTrans, nb, U, U, hin[b0*U:], U, u, U, 1, z[b0*U:], U)
				activate(g.act, z[b0*U:b1*U])
				for b := b0; b < b1; b++ {
					src := z[b*U : (b+1)*U]
					if !valid[b] {
						src = hprev[b*U : (b+1)*U]
					}
					copy(hnext[b*U:(b+1)*U], src)
				}
			case CellLSTM:
				stepGemm(&k.pf[0], blas.NoTrans, nb, GU, U, hin[b0*U:], U, u, GU, 1, z[b0*GU:], GU)
				cprev, cnext := stepOf(g, k.c, i, U), stepOf(g, k.c, i+1, U)
				tc := stepOf(g, k.tc, i, U)
				for b := b0; b < b1; b++ {
					row := z[b*GU : (b+1)*GU]
					activate(g.ract, row[:2*U])
					activate(g.act, row[2*U:3*U])
					activate(g.ract, row[3*U:])
					cp, cn := cprev[b*U:(b+1)*U], cnext[b*U:(b+1)*U]
					hp, hn := hprev[b*U:(b+1)*U], hnext[b*U:(b+1)*U]
					if !valid[b] {
						copy(cn, cp)
						copy(hn, hp)
						continue
					}
					ig, fg, gg, og := row[:U], row[U:2*U], row[2*U:3*U], row[3*U:]
					tcb := tc[b*U : (b+1)*U]
					for j := 0; j < U; j++ {
						cn[j] = fg[j]*cp[j] + ig[j]*gg[j]
					}
					copy(tcb, cn)
					activate(g.act, tcb)
					for j := 0; j < U; j++ {
						hn[j] = og[j] * tcb[j]
					}
				}
			case CellGRU:
				rec := k.rec
				if recBias != nil {
					for b := b0; b < b1; b++ {
						copy(rec[b*GU:(b+1)*GU], recBias)
					}
					stepGemm(&k.pf[0], blas.NoTrans, nb, GU, U, hin[b0*U:], U, u, GU, 1, rec[b0*GU:], GU)
				} else {
					stepGemm(&k.pf[0], blas.NoTrans, nb, GU, U, hin[b0*U:], U, u, GU, 0, rec[b0*GU:], GU)
				}
				rh := stepOf(g, k.rh, i, U)
				for b := b0; b < b1; b++ {
					row, rr := z[b*GU:(b+1)*GU], rec[b*GU:(b+1)*GU]
					for j := 0; j < 2*U; j++ {
						row[j] += rr[j]
					}
					activate(g.ract, row[:2*U])
					rs, hh, rhb := row[U:2*U], row[2*U:], rh[b*U:(b+1)*U]
					copy(rhb, rr[2*U:])
					for j := 0; j < U; j++ {
						hh[j] += rs[j] * rhb[j]
					}
					activate(g.act, hh)
					gruUpdate(row, hprev[b*U:(b+1)*U], hnext[b*U:(b+1)*U], U, valid[b])
				}
			case CellGRUResetBefore:
				stepGemm(&k.pf[0], blas.NoTrans, nb, 2*U, U, hin[b0*U:], U, u, GU, 1, z[b0*GU:], GU)
				rh := stepOf(g, k.rh, i, U)
				for b := b0; b < b1; b++ {
					row := z[b*GU : (b+1)*GU]
					activate(g.ract, row[:2*U])
					rs, rhb, hb := row[U:2*U], rh[b*U:(b+1)*U], hin[b*U:(b+1)*U]
					for j := 0; j < U; j++ {
						rhb[j] = rs[j] * hb[j]
					}
				}
				stepGemm(&k.pf[1], blas.NoTrans, nb, U, U, rh[b0*U:], U, u[2*U:], GU, 1, z[b0*GU+2*U:], GU)
				for b := b0; b < b1; b++ {
					row := z[b*GU : (b+1)*GU]
					activate(g.act, row[2*U:])
					gruUpdate(row, hprev[b*U:(b+1)*U], hnext[b*U:(b+1)*U], U, valid[b])
				}
			}
		}
	})

	// The packed output: [B, nOut+nStates, U].
	W := g.nOut + g.nStates
	for b := 0; b < B; b++ {
		for i := 0; i < g.nOut; i++ {
			dst := out[(b*W+i)*U : (b*W+i+1)*U]
			if g.zeroMasked && !k.valid[i*B+b] {
				clear(dst)
				continue
			}
			copy(dst, k.h[((i+1)*B+b)*U:((i+1)*B+b+1)*U])
		}
		copy(out[(b*W+g.nOut)*U:(b*W+g.nOut+1)*U], k.h[(S*B+b)*U:(S*B+b+1)*U])
		if g.nStates == 2 {
			copy(out[(b*W+g.nOut+1)*U:(b*W+g.nOut+2)*U], k.c[(S*B+b)*U:(S*B+b+1)*U])
		}
	}
}

// gruUpdate sets hn = z ⊙ hp + (1 - z) ⊙ hh from a row [z, r, hh] of the
// activations, or hn = hp at a padded step.
func gruUpdate[T float](row, hp, hn []T, U int, valid bool) {
	if !valid {
		copy(hn, hp)
		return
	}
	zg, hh := row[:U], row[2*U:3*U]
	for j := 0; j < U; j++ {
		hn[j] = hh[j] + zg[j]*(hp[j]-hh[j])
	}
}

// rnnBackward propagates dout, the gradient of the packed output, back
// through time, after rnnForward on the same inputs. It writes the
// gradients of x (when dx is not nil), w, u, bias (when not nil), h0 and
// c0 (when not nil).
func rnnBackward[T float](g *rnnGeom, k *rnnBufs[T], w, u, rdrop, dout, dx, dw, du, dbias, dh0, dc0 []T) {
	B, S, F, U, G := g.b, g.s, g.f, g.u, g.g
	GU := G * U
	W := g.nOut + g.nStates
	k.dz = grow(k.dz, S*B*GU)
	if g.cell == CellGRU {
		k.dzr = grow(k.dzr, S*B*GU)
	}
	k.dh, k.dc = grow(k.dh, B*U), grow(k.dc, B*U)
	k.tmp, k.tm2 = grow(k.tmp, B*U), grow(k.tm2, B*U)
	dh, dc := k.dh, k.dc
	if g.cell == CellGRUResetBefore {
		packFor(&k.pb[0], blas.Trans, 2*U, U, u, GU)
		packFor(&k.pb[1], blas.Trans, U, U, u[2*U:], GU)
	} else {
		packFor(&k.pb[0], blas.Trans, GU, U, u, GU)
	}
	parallel.For(B, S*B*GU*U, func(b0, b1 int) {
		nb := b1 - b0
		for b := b0; b < b1; b++ {
			copy(dh[b*U:(b+1)*U], dout[(b*W+g.nOut)*U:(b*W+g.nOut+1)*U])
			if g.nStates == 2 {
				copy(dc[b*U:(b+1)*U], dout[(b*W+g.nOut+1)*U:(b*W+g.nOut+2)*U])
			}
		}
		for i := S - 1; i >= 0; i-- {
			valid := k.valid[i*B : (i+1)*B]
			if g.nOut > 0 {
				for b := b0; b < b1; b++ {
					if g.zeroMasked && !valid[b] {
						continue
					}
					src := dout[(b*W+i)*U : (b*W+i+1)*U]
					d := dh[b*U : (b+1)*U]
					for j := range d {
						d[j] += src[j]
					}
				}
			}
			a := stepOf(g, k.a, i, GU)
			dz := stepOf(g, k.dz, i, GU)
			hprev := stepOf(g, k.h, i, U)
			hin := hprev
			if rdrop != nil {
				hin = stepOf(g, k.hin, i, U)
			}
			tmp, tm2 := k.tmp, k.tm2
			switch g.cell {
			case CellSimple:
				for b := b0; b < b1; b++ {
					row, d := dz[b*U:(b+1)*U], dh[b*U:(b+1)*U]
					if !valid[b] {
						clear(row)
						continue
					}
					ar := a[b*U : (b+1)*U]
					for j := range row {
						row[j] = d[j] * derivative(g.act, ar[j])
					}
				}
				stepGemm(&k.pb[0], blas.Trans, nb, U, U, dz[b0*U:], U, u, U, 0, tmp[b0*U:], U)
				carry(dh, tmp, nil, rdrop, valid, U, b0, b1)
			case CellLSTM:
				cprev := stepOf(g, k.c, i, U)
				tc := stepOf(g, k.tc, i, U)
				for b := b0; b < b1; b++ {
					row := dz[b*GU : (b+1)*GU]
					if !valid[b] {
						clear(row)
						continue
					}
					ar := a[b*GU : (b+1)*GU]
					ig, fg, gg, og := ar[:U], ar[U:2*U], ar[2*U:3*U], ar[3*U:]
					d, dcb := dh[b*U:(b+1)*U], dc[b*U:(b+1)*U]
					tcb, cp := tc[b*U:(b+1)*U], cprev[b*U:(b+1)*U]
					for j := 0; j < U; j++ {
						dcv := dcb[j] + d[j]*og[j]*derivative(g.act, tcb[j])
						row[j] = dcv * gg[j] * derivative(g.ract, ig[j])
						row[U+j] = dcv * cp[j] * derivative(g.ract, fg[j])
						row[2*U+j] = dcv * ig[j] * derivative(g.act, gg[j])
						row[3*U+j] = d[j] * tcb[j] * derivative(g.ract, og[j])
						dcb[j] = dcv * fg[j]
					}
				}
				stepGemm(&k.pb[0], blas.Trans, nb, U, GU, dz[b0*GU:], GU, u, GU, 0, tmp[b0*U:], U)
				carry(dh, tmp, nil, rdrop, valid, U, b0, b1)
			case CellGRU:
				dzr := stepOf(g, k.dzr, i, GU)
				rh := stepOf(g, k.rh, i, U)
				for b := b0; b < b1; b++ {
					row, rrow := dz[b*GU:(b+1)*GU], dzr[b*GU:(b+1)*GU]
					if !valid[b] {
						clear(row)
						clear(rrow)
						continue
					}
					ar := a[b*GU : (b+1)*GU]
					zg, rs, hh := ar[:U], ar[U:2*U], ar[2*U:]
					d, hp, rhb := dh[b*U:(b+1)*U], hprev[b*U:(b+1)*U], rh[b*U:(b+1)*U]
					direct := tm2[b*U : (b+1)*U]
					for j := 0; j < U; j++ {
						dhh := d[j] * (1 - zg[j]) * derivative(g.act, hh[j])
						dzp := d[j] * (hp[j] - hh[j]) * derivative(g.ract, zg[j])
						drp := dhh * rhb[j] * derivative(g.ract, rs[j])
						row[j], rrow[j] = dzp, dzp
						row[U+j], rrow[U+j] = drp, drp
						row[2*U+j], rrow[2*U+j] = dhh, dhh*rs[j]
						direct[j] = d[j] * zg[j]
					}
				}
				stepGemm(&k.pb[0], blas.Trans, nb, U, GU, dzr[b0*GU:], GU, u, GU, 0, tmp[b0*U:], U)
				carry(dh, tmp, tm2, rdrop, valid, U, b0, b1)
			case CellGRUResetBefore:
				for b := b0; b < b1; b++ {
					row := dz[b*GU : (b+1)*GU]
					if !valid[b] {
						clear(row)
						continue
					}
					ar := a[b*GU : (b+1)*GU]
					zg, hh := ar[:U], ar[2*U:]
					d := dh[b*U : (b+1)*U]
					for j := 0; j < U; j++ {
						row[2*U+j] = d[j] * (1 - zg[j]) * derivative(g.act, hh[j])
					}
				}
				// d(r ⊙ h) = dhh·U_hᵀ, into tm2.
				stepGemm(&k.pb[1], blas.Trans, nb, U, U, dz[b0*GU+2*U:], GU, u[2*U:], GU, 0, tm2[b0*U:], U)
				for b := b0; b < b1; b++ {
					if !valid[b] {
						continue
					}
					row := dz[b*GU : (b+1)*GU]
					ar := a[b*GU : (b+1)*GU]
					zg, rs, hh := ar[:U], ar[U:2*U], ar[2*U:]
					d, hp, hb := dh[b*U:(b+1)*U], hprev[b*U:(b+1)*U], hin[b*U:(b+1)*U]
					drh := tm2[b*U : (b+1)*U]
					for j := 0; j < U; j++ {
						row[j] = d[j] * (hp[j] - hh[j]) * derivative(g.ract, zg[j])
						row[U+j] = drh[j] * hb[j] * derivative(g.ract, rs[j])
						// what reaches h through U_h, then h's direct part
						drh[j] *= rs[j]
					}
				}
				stepGemm(&k.pb[0], blas.Trans, nb, U, 2*U, dz[b0*GU:], GU, u, GU, 1, tm2[b0*U:], U)
				// tm2 is now the gradient of h where it enters U; the direct
				// part z ⊙ dh goes into tmp.
				for b := b0; b < b1; b++ {
					ar := a[b*GU : (b+1)*GU]
					d, direct := dh[b*U:(b+1)*U], tmp[b*U:(b+1)*U]
					for j := 0; j < U; j++ {
						direct[j] = d[j] * ar[j]
					}
				}
				carry(dh, tm2, tmp, rdrop, valid, U, b0, b1)
			}
		}
	})

	copy(dh0, dh)
	if dc0 != nil {
		copy(dc0, dc)
	}

	// The weights' gradients: a few GEMMs over every step at once.
	hin := k.h[:S*B*U]
	if rdrop != nil {
		hin = k.hin
	}
	switch g.cell {
	case CellGRU:
		gemm(blas.Trans, blas.NoTrans, U, GU, S*B, hin, U, k.dzr, GU, 0, du, GU)
	case CellGRUResetBefore:
		gemm(blas.Trans, blas.NoTrans, U, 2*U, S*B, hin, U, k.dz, GU, 0, du, GU)
		gemm(blas.Trans, blas.NoTrans, U, U, S*B, k.rh, U, k.dz[2*U:], GU, 0, du[2*U:], GU)
	default:
		gemm(blas.Trans, blas.NoTrans, U, GU, S*B, hin, U, k.dz, GU, 0, du, GU)
	}
	gemm(blas.Trans, blas.NoTrans, F, GU, S*B, k.xt, F, k.dz, GU, 0, dw, GU)
	if dbias != nil {
		// The sums over the rows, as products with a row of ones.
		if len(k.ones) != S*B {
			k.ones = grow(k.ones, S*B)
			for i := range k.ones {
				k.ones[i] = 1
			}
		}
		gemm(blas.NoTrans, blas.NoTrans, 1, GU, S*B, k.ones, S*B, k.dz, GU, 0, dbias[:GU], GU)
		if g.cell == CellGRU {
			gemm(blas.NoTrans, blas.NoTrans, 1, GU, S*B, k.ones, S*B, k.dzr, GU, 0, dbias[GU:2*GU], GU)
		}
	}
	if dx != nil {
		k.dxt = grow(k.dxt, S*B*F)
		gemm(blas.NoTrans, blas.Trans, S*B, F, GU, k.dz, GU, w, GU, 0, k.dxt, F)
		for i := 0; i < S; i++ {
			t := g.time(i)
			for b := 0; b < B; b++ {
				copy(dx[(b*S+t)*F:(b*S+t+1)*F], k.dxt[(i*B+b)*F:(i*B+b+1)*F])
			}
		}
	}
}

// carry sets dh, the gradient carried to the previous step, to
// direct + rec ⊙ rdrop for the valid samples (direct and rdrop may be
// nil), and leaves it as it is for the padded ones.
func carry[T float](dh, rec, direct, rdrop []T, valid []bool, U, b0, b1 int) {
	for b := b0; b < b1; b++ {
		if !valid[b] {
			continue
		}
		d, r := dh[b*U:(b+1)*U], rec[b*U:(b+1)*U]
		for j := range d {
			v := r[j]
			if rdrop != nil {
				v *= rdrop[b*U+j]
			}
			if direct != nil {
				v += direct[b*U+j]
			}
			d[j] = v
		}
	}
}
