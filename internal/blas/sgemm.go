package blas

import "sync"

// The packed float32 GEMM follows the Goto/BLIS scheme: op(b) is copied
// block by block (kc × nc) into panels of nr columns, op(a) (mc × kc) into
// panels of mr rows, and kernel6x16 multiplies one panel of each into a
// 6×16 tile of c held in registers. The panel of b that the kernel reads
// for every tile of a column stays in the L1 cache, the block of a in L2.
const (
	mr = 6    // rows of a tile (kernel6x16)
	nr = 16   // columns of a tile (kernel6x16)
	kc = 256  // depth of a block
	mc = 120  // rows of a's block, a multiple of mr
	nc = 1024 // columns of b's block, a multiple of nr
)

// packPool holds the packing buffers, so that a product allocates nothing.
var packPool = sync.Pool{New: func() any { return new([]float32) }}

func packBuf(n int) *[]float32 {
	p := packPool.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// sgemmPacked computes c = alpha·op(a)·op(b) + beta·c on row-major
// matrices, on the calling goroutine, with kernel6x16. Each value of c is
// scaled by beta, then gets alpha times the sum of each block of kc terms,
// summed in order with fused multiply-adds (with beta 0, the first block's
// product is written over c, unread): its arithmetic depends on k alone,
// not on where the value lies in c, so a product split into blocks of rows
// or columns gives the same bits as the whole.
func sgemmPacked(tA, tB Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 || alpha == 0 || (beta != 0 && beta != 1) {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	bp := packBuf(kc * roundUp(min(nc, n), nr))
	ap := packBuf(roundUp(min(mc, m), mr) * min(kc, k))
	defer packPool.Put(bp)
	defer packPool.Put(ap)
	var edge [mr * nr]float32
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			accum := pc > 0 || beta != 0
			packB(tB, b, ldb, pc, jc, kcb, ncb, *bp)
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				packA(tA, a, lda, ic, pc, mcb, kcb, *ap)
				for jr := 0; jr < ncb; jr += nr {
					nrb := min(nr, ncb-jr)
					bpan := &(*bp)[jr*kcb]
					for ir := 0; ir < mcb; ir += mr {
						mrb := min(mr, mcb-ir)
						apan := &(*ap)[ir*kcb]
						ci := (ic+ir)*ldc + jc + jr
						if mrb == mr && nrb == nr {
							kernel6x16(kcb, apan, bpan, &c[ci], ldc, alpha, accum)
							continue
						}
						// A tile at c's edge: the kernel works on a copy
						// of the part that exists, padded, so that its
						// values get the same arithmetic as any other.
						if accum {
							for i := 0; i < mrb; i++ {
								copy(edge[i*nr:i*nr+nrb], c[ci+i*ldc:ci+i*ldc+nrb])
							}
						}
						kernel6x16(kcb, apan, bpan, &edge[0], nr, alpha, accum)
						for i := 0; i < mrb; i++ {
							copy(c[ci+i*ldc:ci+i*ldc+nrb], edge[i*nr:i*nr+nrb])
						}
					}
				}
			}
		}
	}
}

// packB copies op(b)'s block of rows pc..pc+kcb and columns jc..jc+ncb
// into dst as panels of nr columns, each kcb rows of nr values, the last
// panel padded with zeros.
func packB(tB Transpose, b []float32, ldb, pc, jc, kcb, ncb int, dst []float32) {
	for p := 0; p*nr < ncb; p++ {
		base := p * nr * kcb
		j0, w := jc+p*nr, min(nr, ncb-p*nr)
		switch {
		case tB == NoTrans && w == nr:
			for l := 0; l < kcb; l++ {
				off := (pc+l)*ldb + j0
				*(*[nr]float32)(dst[base+l*nr:]) = *(*[nr]float32)(b[off:])
			}
		case tB == NoTrans:
			for l := 0; l < kcb; l++ {
				d := dst[base+l*nr : base+l*nr+nr]
				copy(d, b[(pc+l)*ldb+j0:(pc+l)*ldb+j0+w])
				clear(d[w:])
			}
		default:
			// Row l of the panel is column l of b's rows j0..j0+w: read
			// the rows side by side.
			var rows [nr][]float32
			for jj := 0; jj < w; jj++ {
				rows[jj] = b[(j0+jj)*ldb+pc : (j0+jj)*ldb+pc+kcb]
			}
			for l := 0; l < kcb; l++ {
				d := (*[nr]float32)(dst[base+l*nr:])
				for jj := 0; jj < w; jj++ {
					d[jj] = rows[jj][l]
				}
				for jj := w; jj < nr; jj++ {
					d[jj] = 0
				}
			}
		}
	}
}

// packA copies op(a)'s block of rows ic..ic+mcb and columns pc..pc+kcb
// into dst as panels of mr rows, each kcb columns of mr values, the last
// panel padded with zeros.
func packA(tA Transpose, a []float32, lda, ic, pc, mcb, kcb int, dst []float32) {
	for p := 0; p*mr < mcb; p++ {
		base := p * mr * kcb
		i0, h := ic+p*mr, min(mr, mcb-p*mr)
		switch {
		case tA == Trans && h == mr:
			for l := 0; l < kcb; l++ {
				off := (pc+l)*lda + i0
				*(*[mr]float32)(dst[base+l*mr:]) = *(*[mr]float32)(a[off:])
			}
		case tA == Trans:
			for l := 0; l < kcb; l++ {
				d := dst[base+l*mr : base+l*mr+mr]
				copy(d, a[(pc+l)*lda+i0:(pc+l)*lda+i0+h])
				clear(d[h:])
			}
		case h == mr:
			// Column l of the panel is element l of each of six rows:
			// read the rows side by side.
			r0 := a[(i0+0)*lda+pc : (i0+0)*lda+pc+kcb]
			r1 := a[(i0+1)*lda+pc : (i0+1)*lda+pc+kcb]
			r2 := a[(i0+2)*lda+pc : (i0+2)*lda+pc+kcb]
			r3 := a[(i0+3)*lda+pc : (i0+3)*lda+pc+kcb]
			r4 := a[(i0+4)*lda+pc : (i0+4)*lda+pc+kcb]
			r5 := a[(i0+5)*lda+pc : (i0+5)*lda+pc+kcb]
			for l := range r0 {
				d := (*[mr]float32)(dst[base+l*mr:])
				d[0], d[1], d[2], d[3], d[4], d[5] = r0[l], r1[l], r2[l], r3[l], r4[l], r5[l]
			}
		default:
			for l := 0; l < kcb; l++ {
				d := dst[base+l*mr : base+l*mr+mr]
				for ii := 0; ii < h; ii++ {
					d[ii] = a[(i0+ii)*lda+pc+l]
				}
				clear(d[h:])
			}
		}
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }
