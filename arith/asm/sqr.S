@ 256-bit squaring, from Thomas Pornin's x25519-cm0, unchanged.
@ Part of the ARMv6-M kernels of ussl-arith; src/asm.rs assembles the files in order
@ (cm0.S, mul.S, sqr.S, gf25519.S, p256.S, functions.S): later files use earlier macros.
@ From https://github.com/pornin/x25519-cm0, src/x25519-cm0.S, commit 75a53f2.
@ Copyright (c) 2020 Thomas Pornin, under the MIT License, whose text is in
@ LICENSE.x25519-cm0 beside this file.
@

@ Input:
@   rx      input value to square (consumed)
@ Output:
@   rl:rh   square of the input
@ rx is consumed. rt is scratch.
@ Cost: 10
.macro SQR32  rl, rh, rx, rt
	uxth	\rl, \rx
	lsrs	\rx, \rx, #16
	movs	\rh, \rx
	muls	\rx, \rl
	muls	\rl, \rl
	muls	\rh, \rh
	lsls	\rt, \rx, #17
	lsrs	\rx, \rx, #15
	adds	\rl, \rt
	adcs	\rh, \rx
.endm

@ Input:
@   rx1:rx2    value to square (64-bit) (consumed)
@ Output:
@   rd0..rd3   square of the input value
@ rx1 and rx2 are consumed. rt1 and rt2 are scratch. All registers must
@ be different.
@ Cost: 14 + 3*cost(SQR32) = 44
.macro SQR64  rd0, rd1, rd2, rd3, rx1, rx2, rt1, rt2
	@ |a0-a1| -> rd0
	subs	\rd0, \rx1, \rx2
	sbcs	\rd1, \rd1
	eors	\rd0, \rd1
	subs	\rd0, \rd1

	@ a1^2 -> rd2:rd3
	SQR32  \rd2, \rd3, \rx2, \rd1

	@ (a0-a1)^2 -> rt1:rx2
	SQR32  \rt1, \rx2, \rd0, \rd1

	@ a0^2 -> rd0:rd1
	SQR32  \rd0, \rd1, \rx1, \rt2

	@ Subtract a0^2 and a1^2 from (a0-a1)^2 (in rt1:rx2:rt2)
	eors	\rx1, \rx1
	subs	\rt1, \rd0
	sbcs	\rx2, \rd1
	sbcs	\rt2, \rt2
	subs	\rt1, \rd2
	sbcs	\rx2, \rd3
	sbcs	\rt2, \rx1

	@ rt1:rx2:rt2 now contains -2*a0*a1, which we subtract from
	@ the result (with a one-word shift).
	subs	\rd1, \rt1
	sbcs	\rd2, \rx2
	sbcs	\rd3, \rt2
.endm

@ Input:
@   r1  pointer to value to square (128-bit)
@ Output:
@   Eight stack words, at index id
@ Cost: 89 + 3*cost(SQR64) = 221
@ Input:
@   id    output buffer index (in stack)
@   alt   if zero, then:
@            r1 = pointer to source integer (a)
@         else:
@            source integer (a) is in r0:r1:r2:r3
@         alt must be 0 or 1
@
@ Output: result goes to index itmp (8 words).
@ If alt is non-zero, then all output words are modified but only the
@ first two contain the correct result; the remaining 6 words are
@ returned in r2..r7.
@
@ All registers except r8 are consumed.
@ IMPORTANT: destination MUST NOT overlap with the source.
@ Cost:
@   alt = 0: 89 + 3*cost(SQR64) = 221
@   alt = 1: 76 + 3*cost(SQR64) = 208
.macro SQR128  id, alt
	.if (\alt) != 0
	@ Save source in high registers.
	mov	r10, r0
	mov	r11, r1
	mov	r12, r2
	mov	r14, r3
	@ a0^2 -> dst
	SQR64  r4, r5, r6, r7, r0, r1, r2, r3
	add	r0, sp, #(4 * (\id))
	stm	r0!, { r4, r5, r6, r7 }

	@ a1^2 -> dst + 4
	mov	r0, r12
	mov	r1, r14
	SQR64  r4, r5, r6, r7, r0, r1, r2, r3
	add	r0, sp, #(4 * ((\id) + 4))
	stm	r0!, { r4, r5, r6, r7 }

	@ Load source into r4..r7
	mov	r4, r10
	mov	r5, r11
	mov	r6, r12
	mov	r7, r14
	.else
	@ a0^2 -> dst
	ldm	r1!, { r2, r3 }
	mov	r10, r1
	SQR64  r4, r5, r6, r7, r2, r3, r0, r1
	add	r0, sp, #(4 * (\id))
	stm	r0!, { r4, r5, r6, r7 }

	@ a1^2 -> dst + 4
	mov	r1, r10
	ldm	r1, { r0, r1 }
	SQR64  r4, r5, r6, r7, r0, r1, r2, r3
	add	r0, sp, #(4 * ((\id) + 4))
	stm	r0!, { r4, r5, r6, r7 }

	@ Load source into r0..r3
	mov	r0, r10
	subs	r0, #8
	ldm	r0!, { r4, r5, r6, r7 }
	.endif

	@ Compute (a0-a1)^2 -> r0..r3
	subs	r4, r6
	sbcs	r5, r7
	sbcs	r3, r3
	eors	r4, r3
	eors	r5, r3
	subs	r4, r3
	sbcs	r5, r3
	SQR64  r0, r1, r2, r3, r4, r5, r6, r7

	@ Subtract a0^2 from accumulator.
	add	r4, sp, #(4 * (\id))
	ldm	r4, { r4, r5, r6, r7 }
	subs	r0, r4
	sbcs	r1, r5
	sbcs	r2, r6
	sbcs	r3, r7
	sbcs	r6, r6

	@ Accumulator is: r0:r1:r2:r3:r6

	@ Subtract a1^2 from accumulator.
	add	r4, sp, #(4 * ((\id) + 4))
	ldm	r4!, { r5, r7 }
	subs	r0, r5
	sbcs	r1, r7
	ldm	r4!, { r5, r7 }
	sbcs	r2, r5
	sbcs	r3, r7
	eors	r4, r4
	sbcs	r6, r4

	@ Sign-extend accumulator and move some words to high registers.
	mov	r10, r1
	mov	r11, r2
	mov	r12, r3
	mov	r14, r6
	asrs	r1, r6, #31

	@ Accumulator is: r8:r10:r11:r12:r14:r7

	@ Subtract accumulator from result.
	add	r2, sp, #(4 * ((\id) + 2))
	ldm	r2, { r2, r3, r4, r5, r6, r7 }
	subs	r2, r0
	mov	r0, r10
	sbcs	r3, r0
	mov	r0, r11
	sbcs	r4, r0
	mov	r0, r12
	sbcs	r5, r0
	mov	r0, r14
	sbcs	r6, r0
	sbcs	r7, r1

	.if (\alt) == 0
	@ Write out the result (low two words are already there).
	add	r1, sp, #(4 * ((\id) + 2))
	stm	r1!, { r2, r3, r4, r5, r6, r7 }
	.endif
.endm

@ Input:
@   r1     pointer to value to square (128-bit)
@   id     index for output buffer (in stack)
@   itmp   index to free stack slots (8 slots)
@ Output:
@   16 stack words, at index id
@ Cost: 165 + 2*cost(SQR128[alt=0]) + 1*cost(SQR128[alt=1]) = 815
.macro SQR256  id, itmp
	@ Save destination pointer in r8 (which is not modified by SQR128).
	mov	r8, r1

	@ a0^2 -> dst
	SQR128  ((\id) + 0), 0

	@ a1^2 -> dst + 8
	mov	r1, r8
	adds	r1, #16
	SQR128  ((\id) + 8), 0

	@ (a0-a1)^2 -> tmp
	mov	r1, r8
	ldm	r1, { r0, r1, r2, r3, r4, r5, r6, r7 }
	subs	r0, r4
	sbcs	r1, r5
	sbcs	r2, r6
	sbcs	r3, r7
	sbcs	r4, r4
	eors	r0, r4
	eors	r1, r4
	eors	r2, r4
	eors	r3, r4
	subs	r0, r4
	sbcs	r1, r4
	sbcs	r2, r4
	sbcs	r3, r4
	SQR128  (\itmp), 1

	@ Load accumulator into r0:r1:r2:r3:r10:r11:r12:r14
	add	r0, sp, #(4 * (\itmp))
	ldm	r0, { r0, r1 }
	mov	r10, r4
	mov	r11, r5
	mov	r12, r6
	mov	r14, r7

	@ Subtract a0^2 from accumulator.
	add	r4, sp, #(4 * (\id))
	ldm	r4, { r4, r5, r6, r7 }
	subs	r0, r4
	sbcs	r1, r5
	sbcs	r2, r6
	sbcs	r3, r7
	mov	r4, r10
	mov	r5, r11
	mov	r6, r12
	mov	r7, r14
	mov	r10, r0
	mov	r11, r1
	mov	r12, r2
	mov	r14, r3
	add	r0, sp, #(4 * ((\id) + 4))
	ldm	r0, { r0, r1, r2, r3 }
	sbcs	r4, r0
	sbcs	r5, r1
	sbcs	r6, r2
	sbcs	r7, r3
	sbcs	r0, r0
	mov	r8, r0

	@ Accumulator is: r10:r11:r12:r14:r4:r5:r6:r7:r8

	@ Subtract a1^2 from accumulator.
	mov	r0, r10
	mov	r1, r11
	mov	r2, r12
	mov	r3, r14
	mov	r10, r4
	mov	r11, r5
	mov	r12, r6
	mov	r14, r7
	add	r4, sp, #(4 * ((\id) + 8))
	ldm	r4, { r4, r5, r6, r7 }
	subs	r0, r4
	sbcs	r1, r5
	sbcs	r2, r6
	sbcs	r3, r7
	mov	r4, r10
	mov	r5, r11
	mov	r6, r12
	mov	r7, r14
	mov	r10, r0
	mov	r11, r1
	mov	r12, r2
	mov	r14, r3
	add	r0, sp, #(4 * ((\id) + 12))
	ldm	r0, { r0, r1, r2, r3 }
	sbcs	r4, r0
	sbcs	r5, r1
	sbcs	r6, r2
	sbcs	r7, r3
	sbcs	r0, r0
	add	r8, r0

	@ Accumulator is: r10:r11:r12:r14:r4:r5:r6:r7:r8

	@ Subtract accumulator from result.
	mov	r0, r10
	mov	r1, r11
	mov	r2, r12
	mov	r3, r14
	mov	r10, r4
	mov	r11, r5
	mov	r12, r6
	mov	r14, r7
	add	r4, sp, #(4 * ((\id) + 4))
	ldm	r4, { r4, r5, r6, r7 }
	subs	r4, r0
	sbcs	r5, r1
	sbcs	r6, r2
	sbcs	r7, r3
	add	r0, sp, #(4 * ((\id) + 4))
	stm	r0!, { r4, r5, r6, r7 }
	mov	r0, r10
	mov	r1, r11
	mov	r2, r12
	mov	r3, r14
	add	r4, sp, #(4 * ((\id) + 8))
	ldm	r4, { r4, r5, r6, r7 }
	sbcs	r4, r0
	sbcs	r5, r1
	sbcs	r6, r2
	sbcs	r7, r3
	add	r0, sp, #(4 * ((\id) + 8))
	stm	r0!, { r4, r5, r6, r7 }
	@ For the remaining four words, we need to sign-extend the upper
	@ word of the accumulator. This can be done with rev and sxtb
	@ because that upper word is small in absolute value, so its
	@ top byte is either 0x00 or 0xFF; rev and sxtb do not modify the 
	@ flags.
	mov	r0, r8
	rev	r1, r0
	sxtb	r1, r1
	add	r4, sp, #(4 * ((\id) + 12))
	ldm	r4, { r4, r5, r6, r7 }
	sbcs	r4, r0
	sbcs	r5, r1
	sbcs	r6, r1
	sbcs	r7, r1
	add	r0, sp, #(4 * ((\id) + 12))
	stm	r0!, { r4, r5, r6, r7 }
.endm
