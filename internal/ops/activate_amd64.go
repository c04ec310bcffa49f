//go:build amd64 && !purego

package ops

import "golang.org/x/sys/cpu"

// activate8 applies y = a + b/(1 + exp(s·x)) to n values at x, n a
// multiple of 8, eight at a time with AVX2 and FMA, exp computed as exp32
// does; c holds s, a, b and exp32's constants, each eight times
// (activationConsts). It is in activate_amd64.s.
//
//go:noescape
func activate8(x *float32, n int, c *[constRows][8]float32)

// hasActivate8 says whether this CPU runs activate8.
var hasActivate8 = cpu.X86.HasAVX2 && cpu.X86.HasFMA
