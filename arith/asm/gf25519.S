@ Reduction modulo 2^255-19 and addition and subtraction (gf_add_inner,
@ gf_sub_inner), from Thomas Pornin's x25519-cm0, unchanged.
@ Part of the ARMv6-M kernels of ussl-arith; src/asm.rs assembles the files in order
@ (cm0.S, mul.S, sqr.S, gf25519.S, p256.S, functions.S): later files use earlier macros.
@ From https://github.com/pornin/x25519-cm0, src/x25519-cm0.S, commit 75a53f2.
@ Copyright (c) 2020 Thomas Pornin, under the MIT License, whose text is in
@ LICENSE.x25519-cm0 beside this file.
@

@ The field 2^255-MQ (REDUCE multiplies by 2*MQ).
	.equ	MQ, 19

@ Input:
@   rx = input word to multiply (32-bit)
@   rm = 2*MQ (unmodified)
@ This function computes rx*rm, and outputs the result as rx + ru:rc
@ i.e. rx, ru and rc are modified so that the result can be obtained by
@ performing the addition above. Moreover, the output value of rc fits on
@ 16 bits.
@ Cost: 6
.macro MUL32x16_START  rx, rc, ru, rm
	lsrs	\ru, \rx, #16
	uxth	\rx, \rx
	muls	\ru, \rm
	muls	\rx, \rm
	lsrs	\rc, \ru, #16
	lsls	\ru, \ru, #16
.endm

@ Input:
@   rx = input word to multiply (32-bit)
@   rc = carry (16-bit)
@   rm = 2*MQ (unmodified)
@ This function computes rx*rm + rc, and outputs the result as rx + ru:rc
@ i.e. rx, ru and rc are modified so that the result can be obtained by
@ performing the addition above. Moreover, the output value of rc fits on
@ 16 bits.
@ rt is a scratch register.
@ Cost: 7
.macro MUL32x16_CC_1  rx, rc, ru, rm, rt
	lsrs	\rt, \rx, #16
	uxth	\rx, \rx
	muls	\rt, \rm
	muls	\rx, \rm
	lsls	\ru, \rt, #16
	orrs	\ru, \rc
	lsrs	\rc, \rt, #16
.endm

@ Input:
@   rx = input word to multiply (32-bit)
@   rc = carry (16-bit)
@   rm = 2*MQ (unmodified)
@ This function computes rx*rm + rc, and outputs the result as rx + ru:rc
@ i.e. rx, ru and rc are modified so that the result can be obtained by
@ performing the addition above. Moreover, the output value of rc fits on
@ 16 bits.
@ This macro differs from MUL32x16_CC_1 in the following:
@  - on output, ru anc rc are exchanged (carry is in ru, not rc)
@  - no extra scratch register is needed
@  - cost is higher by 2 cycles
@ Cost: 9
.macro MUL32x16_CC_2  rx, rc, ru, rm
	lsrs	\ru, \rx, #16
	uxth	\rx, \rx
	muls	\ru, \rm
	muls	\rx, \rm
	rev	\ru, \ru
	rev16	\ru, \ru
	eors	\rc, \ru
	uxth	\ru, \ru
	eors	\rc, \ru
.endm

@ iin   input buffer index (on stack)
@ mq2   label for constant 2*MQ
@ Output is in r0:r1:r2:r3:r4:r10:r11:r7
@ Cost: 159
.macro REDUCE  iin, mq2
	@ Set r5 to zero (for carry propagation).
	eors	r5, r5

	@ Set r7 to multiplier (2*MQ).
	@ (We could gain one cycle by using
	ldr	r7, \mq2

	@ Multiply high word by 2*MQ.
	add	r0, sp, #(4 * ((\iin) + 8))
	ldm	r0, { r0, r1 }
	MUL32x16_START  r0, r6, r2, r7
	MUL32x16_CC_1   r1, r6, r3, r7, r4
	adds	r0, r2
	adcs	r1, r3
	adcs	r6, r5
	mov	r10, r0
	mov	r11, r1
	add	r0, sp, #(4 * ((\iin) + 10))
	ldm	r0, { r0, r1 }
	MUL32x16_CC_1   r0, r6, r2, r7, r4
	MUL32x16_CC_1   r1, r6, r3, r7, r4
	adds	r0, r2
	adcs	r1, r3
	adcs	r6, r5
	mov	r12, r0
	mov	r14, r1
	add	r0, sp, #(4 * ((\iin) + 12))
	ldm	r0, { r0, r1 }
	MUL32x16_CC_1   r0, r6, r2, r7, r4
	MUL32x16_CC_1   r1, r6, r3, r7, r4
	adds	r0, r2
	adcs	r1, r3
	adcs	r6, r5
	add	r2, sp, #(4 * ((\iin) + 14))
	ldm	r2, { r2, r3 }
	MUL32x16_CC_1   r2, r6, r4, r7, r5
	MUL32x16_CC_2   r3, r6, r5, r7
	adds	r2, r4
	adcs	r3, r6
	sbcs	r4, r4
	adds	r4, #1
	adds	r5, r4

	@ We have the value in r10:r11:r12:r14:r0:r1:r2:r3:r5.
	@ We now add the low word into this value.

	@ Reorganization.
	mov	r8, r5
	mov	r4, r10
	mov	r5, r11
	mov	r6, r12
	mov	r7, r14
	mov	r10, r0
	mov	r11, r1
	mov	r12, r2
	mov	r14, r3

	@ Accumulator is now r4:r5:r6:r7:r10:r11:r12:r14:r8
	add	r0, sp, #(4 * (\iin))
	ldm	r0, { r0, r1, r2, r3 }
	adds	r4, r0
	adcs	r5, r1
	adcs	r6, r2
	adcs	r7, r3
	mov	r0, r10
	mov	r1, r11
	mov	r2, r12
	mov	r3, r14
	mov	r10, r4
	mov	r11, r5
	mov	r12, r6
	mov	r14, r7
	@ Accumulator is now r10:r11:r12:r14:r0:r1:r2:r3:r8
	add	r4, sp, #(4 * ((\iin) + 4))
	ldm	r4, { r4, r5, r6, r7 }
	adcs	r4, r0
	adcs	r5, r1
	adcs	r6, r2
	adcs	r7, r3
	sbcs	r0, r0
	add	r0, r8
	adds	r0, #1
	@ Accumulator is now r10:r11:r12:r14:r4:r5:r6:r7:r0

	@ Second reduction round: multiply high word by 2*MQ, and add it.
	mov	r8, r7
	@ Accumulator is now r10:r11:r12:r14:r4:r5:r6:r8:r0
	eors	r7, r7
	ldr	r3, \mq2
	muls	r3, r0
	mov	r0, r10
	mov	r1, r11
	mov	r2, r12
	adds	r0, r3
	adcs	r1, r7
	adcs	r2, r7
	mov	r3, r14
	adcs	r3, r7
	adcs	r4, r7
	adcs	r5, r7
	adcs	r6, r7
	mov	r10, r5
	mov	r11, r6
	mov	r5, r8
	adcs	r7, r5
	@ Accumulator is now r0:r1:r2:r3:r4:r10:r11:r7
	@ There may still be a carry, which we then must wrap again; but
	@ it won't trigger any extra carry.
	sbcs	r5, r5
	ldr	r6, \mq2
	bics	r6, r5
	adds	r0, r6
.endm

@ The 2^255-19 code has a section of its own (functions.S's gf25519 wrappers
@ join it), so that a link which uses only P-256 (the lean engine) drops it.
	.section .text.ussl_arith_gf25519, "ax", %progbits

@ =======================================================================
@ void gf_add_inner(gf *d, const gf *a, const gf *b)
@
@ Registers r0 to r8 and r10 to r12 are modified.
@
@ Cost: 71
@ =======================================================================

	.align	1
	.thumb
	.thumb_func
	.type	gf_add_inner, %function
gf_add_inner:
	@ Load and perform main addition.
	ldm	r1!, { r3, r4 }
	ldm	r2!, { r5, r6 }
	adds	r3, r5
	adcs	r4, r6
	mov	r8, r3
	mov	r10, r4
	ldm	r1!, { r3, r4 }
	ldm	r2!, { r5, r6 }
	adcs	r3, r5
	adcs	r4, r6
	mov	r11, r3
	mov	r12, r4
	ldm	r1!, { r3, r4 }
	ldm	r2!, { r5, r6 }
	adcs	r3, r5
	adcs	r4, r6
	ldm	r1!, { r5, r6 }
	ldm	r2, { r1, r2 }
	adcs	r5, r1
	adcs	r6, r2

	@ Sum is now in r8:r10:r11:r12:r3:r4:r5:r6, with carry in C flag.
	@ We recover the carry and combine it with the top bit of the top
	@ word to get the result modulo 2^255 (in r7). We also truncate
	@ the top word.
	sbcs	r1, r1
	adds	r1, #1
	lsls	r1, r1, #1
	lsrs	r7, r6, #31
	adds	r7, r1
	lsls	r6, r6, #1
	lsrs	r6, r6, #1

	@ Using 2^255 = MQ mod p, we perform the reduction. Since we
	@ cleared the top bit of the top word, this cannot create an
	@ extra carry.
	ldr	r1, const_gf_add_mq
	muls	r7, r1
	mov	r1, r8
	mov	r2, r10
	adds	r1, r7
	eors	r7, r7
	adcs	r2, r7
	stm	r0!, { r1, r2 }
	mov	r1, r11
	mov	r2, r12
	adcs	r1, r7
	adcs	r2, r7
	adcs	r3, r7
	adcs	r4, r7
	adcs	r5, r7
	adcs	r6, r7
	stm	r0!, { r1, r2, r3, r4, r5, r6 }

	bx	lr
	.align	2
const_gf_add_mq:
	.long	MQ
	.size	gf_add_inner, .-gf_add_inner

@ =======================================================================
@ void gf_sub_inner(gf *d, const gf *a, const gf *b)
@
@ Registers r0 r1 to r8 and r10 to r12 are modified.
@
@ Cost: 72
@ =======================================================================

	.align	1
	.thumb
	.thumb_func
	.type	gf_sub_inner, %function
gf_sub_inner:
	@ Load and perform main subtraction.
	ldm	r1!, { r3, r4 }
	ldm	r2!, { r5, r6 }
	subs	r3, r5
	sbcs	r4, r6
	mov	r8, r3
	mov	r10, r4
	ldm	r1!, { r3, r4 }
	ldm	r2!, { r5, r6 }
	sbcs	r3, r5
	sbcs	r4, r6
	mov	r11, r3
	mov	r12, r4
	ldm	r1!, { r3, r4 }
	ldm	r2!, { r5, r6 }
	sbcs	r3, r5
	sbcs	r4, r6
	ldm	r1!, { r5, r6 }
	ldm	r2, { r1, r2 }
	sbcs	r5, r1
	sbcs	r6, r2

	@ Difference is now in r8:r10:r11:r12:r3:r4:r5:r6, with borrow in
	@ C flag.
	@
	@ Suppose that we recover the borrow (of value -1 or 0) and combine
	@ it with the top bit of the value into a value x (with -2 <= x <= 1);
	@ then, we truncate the remaining value to 255 bits (the top bit
	@ of the top word, currently in r6, is set to 0).
	@ We then need to add x*MQ to the trunacted value (which is in
	@ the 0..2^255-1 range). To get a value that fits in 256 bits, we
	@ also add an extra p = 2^255 - MQ; i.e. in total we add
	@ 2^255 + (x-1)*MQ. Since x-1 <= 0, the result cannot exceed 2^256-1.
	@ This is equivalent to adding 2^255 and then adding (x-1)*MQ. The
	@ addition of 2^255 to the truncated value is equivalent to forcing
	@ its top bit to 1.

	@ Get the borrow and top bit into value x. We in fact recover -(x-1)
	@ into r7.
	sbcs	r1, r1
	lsls	r1, r1, #1
	asrs	r7, r6, #31
	subs	r7, r1
	adds	r7, #1

	@ Force top bit of top word to 1.
	movs	r2, #1
	lsls	r2, r2, #31
	orrs	r6, r2

	@ Add (x-1)*MQ, i.e. subtract -(x-1)*MQ. We have -(x-1) in r7,
	@ and it is nonnegative.
	ldr	r1, const_gf_sub_mq
	muls	r7, r1
	mov	r1, r8
	mov	r2, r10
	subs	r1, r7
	eors	r7, r7
	sbcs	r2, r7
	stm	r0!, { r1, r2 }
	mov	r1, r11
	mov	r2, r12
	sbcs	r1, r7
	sbcs	r2, r7
	sbcs	r3, r7
	sbcs	r4, r7
	sbcs	r5, r7
	sbcs	r6, r7
	stm	r0!, { r1, r2, r3, r4, r5, r6 }

	bx	lr
	.align	2
const_gf_sub_mq:
	.long	MQ
	.size	gf_sub_inner, .-gf_sub_inner
	.text
