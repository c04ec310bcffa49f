package blas

// PackedB is the right operand of float32 products that reuse it many
// times (a recurrent kernel, once per step), copied once into the packed
// GEMM's panels, so that each product packs only its left operand. Where
// the packed GEMM does not run, or op(b) is larger than one of its blocks,
// the products go to Sgemm.
type PackedB struct {
	tB     Transpose
	k, n   int
	b      []float32
	ldb    int
	panels []float32 // nil: not packed
}

// Pack makes p op(b), k×n, from the row-major b with leading dimension
// ldb. p keeps b for the fallback; it packs again at every call.
func (p *PackedB) Pack(tB Transpose, k, n int, b []float32, ldb int) {
	p.tB, p.k, p.n, p.b, p.ldb = tB, k, n, b, ldb
	if !packed || k > kc || n > nc || k == 0 || n == 0 {
		p.panels = nil
		return
	}
	size := k * roundUp(n, nr)
	if cap(p.panels) < size {
		p.panels = make([]float32, size)
	}
	p.panels = p.panels[:size]
	packB(tB, b, ldb, 0, 0, k, n, p.panels)
}

// Sgemm computes c = a·op(b) + beta·c, a being m×k with leading dimension
// lda and c m×n with ldc; beta is 0 or 1. It runs on the calling
// goroutine.
func (p *PackedB) Sgemm(m int, a []float32, lda int, beta float32, c []float32, ldc int) {
	if m == 0 || p.n == 0 {
		return
	}
	if p.panels == nil || m <= smallRows || (beta != 0 && beta != 1) {
		Sgemm(NoTrans, p.tB, m, p.n, p.k, 1, a, lda, p.b, p.ldb, beta, c, ldc)
		return
	}
	k, n := p.k, p.n
	accum := beta != 0
	ap := packBuf(roundUp(min(mc, m), mr) * k)
	defer packPool.Put(ap)
	var edge [mr * nr]float32
	for ic := 0; ic < m; ic += mc {
		mcb := min(mc, m-ic)
		packA(NoTrans, a, lda, ic, 0, mcb, k, *ap)
		for jr := 0; jr < n; jr += nr {
			nrb := min(nr, n-jr)
			bpan := &p.panels[jr*k]
			for ir := 0; ir < mcb; ir += mr {
				mrb := min(mr, mcb-ir)
				apan := &(*ap)[ir*k]
				ci := (ic+ir)*ldc + jr
				if mrb == mr && nrb == nr {
					kernel6x16(k, apan, bpan, &c[ci], ldc, 1, accum)
					continue
				}
				if accum {
					for i := 0; i < mrb; i++ {
						copy(edge[i*nr:i*nr+nrb], c[ci+i*ldc:ci+i*ldc+nrb])
					}
				}
				kernel6x16(k, apan, bpan, &edge[0], nr, 1, accum)
				for i := 0; i < mrb; i++ {
					copy(c[ci+i*ldc:ci+i*ldc+nrb], edge[i*nr:i*nr+nrb])
				}
			}
		}
	}
}
