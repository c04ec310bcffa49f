//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the rows of constants (32 bytes each).
#define S 0
#define HI 32
#define LO 64
#define LOG2E 96
#define MAGIC 128
#define C1 160
#define C2 192
#define P0 224
#define P1 256
#define P2 288
#define P3 320
#define P4 352
#define P5 384
#define ONE 416
#define EXPBIAS 448
#define A 480
#define B 512

// func activate8(x *float32, n int, c *[constRows][8]float32)
TEXT ·activate8(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), BX
	MOVQ c+16(FP), CX
	TESTQ BX, BX
	JLE done

loop:
	VMOVUPS (DI), Y0
	VMULPS S(CX), Y0, Y0
	VMINPS HI(CX), Y0, Y0
	VMAXPS LO(CX), Y0, Y0
	VMOVUPS MAGIC(CX), Y1
	VFMADD231PS LOG2E(CX), Y0, Y1
	VSUBPS MAGIC(CX), Y1, Y2
	VFNMADD231PS C1(CX), Y2, Y0
	VFNMADD231PS C2(CX), Y2, Y0
	VMOVUPS P0(CX), Y3
	VFMADD213PS P1(CX), Y0, Y3
	VFMADD213PS P2(CX), Y0, Y3
	VFMADD213PS P3(CX), Y0, Y3
	VFMADD213PS P4(CX), Y0, Y3
	VFMADD213PS P5(CX), Y0, Y3
	VMULPS Y0, Y0, Y4
	VFMADD213PS Y0, Y4, Y3
	VADDPS ONE(CX), Y3, Y3
	VPSUBD EXPBIAS(CX), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y3, Y3
	VADDPS ONE(CX), Y3, Y3
	VMOVUPS ONE(CX), Y4
	VDIVPS Y3, Y4, Y4
	VMOVUPS A(CX), Y5
	VFMADD231PS B(CX), Y4, Y5
	VMOVUPS Y5, (DI)
	ADDQ $32, DI
	SUBQ $8, BX
	JG loop

done:
	VZEROUPPER
	RET
