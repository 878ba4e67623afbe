//go:build !purego

#include "textflag.h"

// The kernels below evaluate a normalized comparison over whole 64-value
// words with AVX2 and write one result word per 64 values:
//
//	bit j of out[w] = inv XOR (((vals[64w+j] - sub) XOR flip) > k)
//
// with wrapping arithmetic and a signed comparison in the values' width
// (simd.go derives sub, flip, k and inv from each operator). The callers
// check for AVX2 and handle the values after the last whole word.

// LANES32 compares the eight int32 lanes at off(SI) and ORs their bits,
// shifted by sh, into R8.
#define LANES32(off, sh) \
	VMOVDQU off(SI), Y0; \
	VPSUBD  Y13, Y0, Y0; \
	VPXOR   Y14, Y0, Y0; \
	VPCMPGTD Y15, Y0, Y0; \
	VMOVMSKPS Y0, AX; \
	SHLQ    $sh, AX; \
	ORQ     AX, R8

// func gtWords32(out *uint64, vals *int32, nwords int, sub, flip, k int32, inv uint64)
TEXT ·gtWords32(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ vals+8(FP), SI
	MOVQ nwords+16(FP), CX
	MOVL sub+24(FP), AX
	MOVQ AX, X13
	VPBROADCASTD X13, Y13
	MOVL flip+28(FP), AX
	MOVQ AX, X14
	VPBROADCASTD X14, Y14
	MOVL k+32(FP), AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
	MOVQ inv+40(FP), R9
	TESTQ CX, CX
	JZ done32

loop32:
	XORQ R8, R8
	LANES32(0, 0)
	LANES32(32, 8)
	LANES32(64, 16)
	LANES32(96, 24)
	LANES32(128, 32)
	LANES32(160, 40)
	LANES32(192, 48)
	LANES32(224, 56)
	XORQ R9, R8
	MOVQ R8, (DI)
	ADDQ $256, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loop32

done32:
	VZEROUPPER
	RET

// LANES64 compares the four int64 lanes at off(SI).
#define LANES64(off, sh) \
	VMOVDQU off(SI), Y0; \
	VPSUBQ  Y13, Y0, Y0; \
	VPXOR   Y14, Y0, Y0; \
	VPCMPGTQ Y15, Y0, Y0; \
	VMOVMSKPD Y0, AX; \
	SHLQ    $sh, AX; \
	ORQ     AX, R8

// func gtWords64(out *uint64, vals *int64, nwords int, sub, flip, k int64, inv uint64)
TEXT ·gtWords64(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ vals+8(FP), SI
	MOVQ nwords+16(FP), CX
	VPBROADCASTQ sub+24(FP), Y13
	VPBROADCASTQ flip+32(FP), Y14
	VPBROADCASTQ k+40(FP), Y15
	MOVQ inv+48(FP), R9
	TESTQ CX, CX
	JZ done64

loop64:
	XORQ R8, R8
	LANES64(0, 0)
	LANES64(32, 4)
	LANES64(64, 8)
	LANES64(96, 12)
	LANES64(128, 16)
	LANES64(160, 20)
	LANES64(192, 24)
	LANES64(224, 28)
	LANES64(256, 32)
	LANES64(288, 36)
	LANES64(320, 40)
	LANES64(352, 44)
	LANES64(384, 48)
	LANES64(416, 52)
	LANES64(448, 56)
	LANES64(480, 60)
	XORQ R9, R8
	MOVQ R8, (DI)
	ADDQ $512, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loop64

done64:
	VZEROUPPER
	RET

// LANES16 compares the 32 int16 lanes at off(SI) (two registers), packs
// the results to bytes in order and ORs their 32 bits, shifted by sh,
// into R8.
#define LANES16(off, sh) \
	VMOVDQU off(SI), Y0; \
	VMOVDQU off+32(SI), Y1; \
	VPSUBW  Y13, Y0, Y0; \
	VPSUBW  Y13, Y1, Y1; \
	VPXOR   Y14, Y0, Y0; \
	VPXOR   Y14, Y1, Y1; \
	VPCMPGTW Y15, Y0, Y0; \
	VPCMPGTW Y15, Y1, Y1; \
	VPACKSSWB Y1, Y0, Y0; \
	VPERMQ  $0xD8, Y0, Y0; \
	VPMOVMSKB Y0, AX; \
	SHLQ    $sh, AX; \
	ORQ     AX, R8

// func gtWords16(out *uint64, vals *int16, nwords int, sub, flip, k int16, inv uint64)
TEXT ·gtWords16(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ vals+8(FP), SI
	MOVQ nwords+16(FP), CX
	MOVWLZX sub+24(FP), AX
	MOVQ AX, X13
	VPBROADCASTW X13, Y13
	MOVWLZX flip+26(FP), AX
	MOVQ AX, X14
	VPBROADCASTW X14, Y14
	MOVWLZX k+28(FP), AX
	MOVQ AX, X15
	VPBROADCASTW X15, Y15
	MOVQ inv+32(FP), R9
	TESTQ CX, CX
	JZ done16

loop16:
	XORQ R8, R8
	LANES16(0, 0)
	LANES16(64, 32)
	XORQ R9, R8
	MOVQ R8, (DI)
	ADDQ $128, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loop16

done16:
	VZEROUPPER
	RET

// LANES8 compares the 32 int8 lanes at off(SI).
#define LANES8(off, sh) \
	VMOVDQU off(SI), Y0; \
	VPSUBB  Y13, Y0, Y0; \
	VPXOR   Y14, Y0, Y0; \
	VPCMPGTB Y15, Y0, Y0; \
	VPMOVMSKB Y0, AX; \
	SHLQ    $sh, AX; \
	ORQ     AX, R8

// func gtWords8(out *uint64, vals *int8, nwords int, sub, flip, k int8, inv uint64)
TEXT ·gtWords8(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ vals+8(FP), SI
	MOVQ nwords+16(FP), CX
	MOVBLZX sub+24(FP), AX
	MOVQ AX, X13
	VPBROADCASTB X13, Y13
	MOVBLZX flip+25(FP), AX
	MOVQ AX, X14
	VPBROADCASTB X14, Y14
	MOVBLZX k+26(FP), AX
	MOVQ AX, X15
	VPBROADCASTB X15, Y15
	MOVQ inv+32(FP), R9
	TESTQ CX, CX
	JZ done8

loop8:
	XORQ R8, R8
	LANES8(0, 0)
	LANES8(32, 32)
	XORQ R9, R8
	MOVQ R8, (DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loop8

done8:
	VZEROUPPER
	RET

// LANESF64 tests the four float64 lanes at off(SI): lo <= x <= hi with
// ordered comparisons (NaN fails both), OR x is NaN where Y15 is all ones.
#define LANESF64(off, sh) \
	VMOVUPD off(SI), Y0; \
	VCMPPD  $0x1D, Y13, Y0, Y1; \
	VCMPPD  $0x12, Y14, Y0, Y2; \
	VANDPD  Y2, Y1, Y1; \
	VCMPPD  $0x03, Y0, Y0, Y3; \
	VANDPD  Y15, Y3, Y3; \
	VORPD   Y3, Y1, Y1; \
	VMOVMSKPD Y1, AX; \
	SHLQ    $sh, AX; \
	ORQ     AX, R8

// func rangeWordsF64(out *uint64, vals *float64, nwords int, lo, hi float64, nan, inv uint64)
//
// bit j of out[w] = inv XOR ((lo <= x && x <= hi) || (nan != 0 && x is NaN)),
// x = vals[64w+j]; nan is all ones or zero.
TEXT ·rangeWordsF64(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ vals+8(FP), SI
	MOVQ nwords+16(FP), CX
	VBROADCASTSD lo+24(FP), Y13
	VBROADCASTSD hi+32(FP), Y14
	VPBROADCASTQ nan+40(FP), Y15
	MOVQ inv+48(FP), R9
	TESTQ CX, CX
	JZ donef

loopf:
	XORQ R8, R8
	LANESF64(0, 0)
	LANESF64(32, 4)
	LANESF64(64, 8)
	LANESF64(96, 12)
	LANESF64(128, 16)
	LANESF64(160, 20)
	LANESF64(192, 24)
	LANESF64(224, 28)
	LANESF64(256, 32)
	LANESF64(288, 36)
	LANESF64(320, 40)
	LANESF64(352, 44)
	LANESF64(384, 48)
	LANESF64(416, 52)
	LANESF64(448, 56)
	LANESF64(480, 60)
	XORQ R9, R8
	MOVQ R8, (DI)
	ADDQ $512, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loopf

donef:
	VZEROUPPER
	RET

// LENS32 tests the eight differences offs[i+1] - offs[i] at off(SI) for
// equality with Y15.
#define LENS32(off, sh) \
	VMOVDQU off(SI), Y0; \
	VMOVDQU off+4(SI), Y1; \
	VPSUBD  Y0, Y1, Y1; \
	VPCMPEQD Y15, Y1, Y1; \
	VMOVMSKPS Y1, AX; \
	SHLQ    $sh, AX; \
	ORQ     AX, R8

// func eqLenWords32(out *uint64, offs *int32, nwords int, l int32)
//
// bit j of out[w] = offs[64w+j+1] - offs[64w+j] == l: the elements of a
// string array whose length is l. offs must hold 64·nwords+1 offsets.
TEXT ·eqLenWords32(SB), NOSPLIT, $0-28
	MOVQ out+0(FP), DI
	MOVQ offs+8(FP), SI
	MOVQ nwords+16(FP), CX
	MOVL l+24(FP), AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
	TESTQ CX, CX
	JZ donel

loopl:
	XORQ R8, R8
	LENS32(0, 0)
	LENS32(32, 8)
	LENS32(64, 16)
	LENS32(96, 24)
	LENS32(128, 32)
	LENS32(160, 40)
	LENS32(192, 48)
	LENS32(224, 56)
	MOVQ R8, (DI)
	ADDQ $256, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loopl

donel:
	VZEROUPPER
	RET
