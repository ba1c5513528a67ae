@ 256x256 -> 512-bit multiplication (Karatsuba down to 32x32 from 16x16 products),
@ from Thomas Pornin's x25519-cm0, unchanged.
@ Part of the ARMv6-M kernels of ussl-arith; src/asm.rs assembles the files in order
@ (cm0.S, mul.S, sqr.S, gf25519.S, p256.S, functions.S): later files use earlier macros.
@ From https://github.com/pornin/x25519-cm0, src/x25519-cm0.S, commit 75a53f2.
@ Copyright (c) 2020 Thomas Pornin, under the MIT License, whose text is in
@ LICENSE.x25519-cm0 beside this file.
@

@ Multiply rl (32 bits) by rb (32 bits) and store result in rl:rh.
@ rb is consumed. On output, CF = 0.
@ ru and rt are two scratch registers.
@ Cost: 17
.macro MUL32x32  rl, rh, rb, rt, ru
	@ hi(a)*hi(b) -> rh
	lsrs	\rt, \rb, #16
	lsrs	\rh, \rl, #16
	muls	\rh, \rt

	@ lo(a)*lo(b) -> rl
	@ lo(a)*hi(b) -> rt
	@ hi(a)*lo(b) -> ru
	uxth	\rb, \rb
	lsrs	\ru, \rl, #16
	uxth	\rl, \rl
	muls	\rt, \rl
	muls	\ru, \rb
	muls	\rl, \rb

	@ Add rt and ru at the right place. We can use rb as scratch.
	lsrs	\rb, \rt, #16
	lsls	\rt, \rt, #16
	adds	\rl, \rt
	adcs	\rh, \rb
	lsrs	\rb, \ru, #16
	lsls	\ru, \ru, #16
	adds	\rl, \ru
	adcs	\rh, \rb
.endm

@ Perform 64x64->128 multiplication.
@   ra0:ra1  first operand
@   rb0:rb1  second operand
@ Result is written in ra0:rb0:ra1:rb1
@ rt1, rt2, rt3, rt4, rh5 and rh6 are scratch registers; rh5 and rh6 are
@ high registers (r8+).
@ Cost: 30 + 3*cost(MUL32x32) = 81
.macro MUL64x64  ra0, ra1, rb0, rb1, rt1, rt2, rt3, rt4, rh5, rh6
	@ Save rb0 and rb1 into high registers.
	mov	\rh5, \rb0
	mov	\rh6, \rb1

	@ rt1 <- |a0 - a1|, sign in rt3 (-1 for _positive_, 0 otherwise)
	subs	\rt1, \ra1, \ra0
	sbcs	\rt3, \rt3
	eors	\rt1, \rt3
	subs	\rt1, \rt3

	@ rt4 <- |b0 - b1|, sign in ra0 (-1 for negative, 0 otherwise)
	subs	\rt4, \rb0, \rb1
	sbcs	\rb1, \rb1
	eors	\rt4, \rb1
	subs	\rt4, \rb1

	@ rt3 <- -sign(a0-a1)*sign(b0-b1) (-1 for same sign, 0 otherwise)
	eors	\rt3, \rb1

	@ rb0 and rb1 are now scratch registers.

	@ rt1:rt2:rt3 <- xee = -sign(a0-a1)*sign(b0-b1) XOR |a0-a1|*|b0-b1|
	MUL32x32  \rt1, \rt2, \rt4, \rb0, \rb1
	eors	\rt1, \rt3
	eors	\rt2, \rt3

	@ a0*b0 -> ra0:rb0. Also save lo(xee) into rh5.
	mov	\rt4, \rh5
	mov	\rh5, \rt1
	MUL32x32  \ra0, \rb0, \rt4, \rt1, \rb1

	@ a1*b1 -> ra1:rb1. Also save hi(xee) into rh6.
	mov	\rt4, \rh6
	mov	\rh6, \rt2
	MUL32x32  \ra1, \rb1, \rt4, \rt1, \rt2

	@ We have a0*b0 and a1*b1 in place. We must still:
	@  - add 2^16*a0*b0
	@  - add 2^16*a1*b1
	@  - add ee (with sign)
	@ Adding ee is really adding xee - sign(ee), with:
	@    xee = rh5:rh6:rt3
	@    sign(ee) = rt3:rt3:rt3
	@ Thus, we need to add rh5:rh6:rt3, and subtract rt3:rt3:rt3.
	@ Since rt3 = 0 or -1, subtraction of rt3:rt3:rt3 really is
	@ addition of 0 or 1, which we can smuggle as an extra carry
	@ when adding xee.

	@ Recover xee into rt1:rt2; sign is still in rt3.
	mov	\rt1, \rh5
	mov	\rt2, \rh6

	@ Set rt4 to 0.
	eors	\rt4, \rt4

	@ Add a0*b0 into rt1:rt2:rt3. We also put the extra carry there.
	asrs	\rt3, \rt3, #1
	adcs	\rt1, \ra0
	adcs	\rt2, \rb0
	adcs	\rt3, \rt4

	@ Add a1*b1 into r1:rt2:rt3.
	adds	\rt1, \ra1
	adcs	\rt2, \rb1
	adcs	\rt3, \rt4

	@ Add rt1:rt2:rt3 into the result.
	adds	\rb0, \rt1
	adcs	\ra1, \rt2
	adcs	\rb1, \rt3
.endm

@ Input:
@   id    output buffer index (in stack)
@   alt   if zero, then:
@            r1 = pointer to first integer (a)
@            r2 = pointer to second integer (b)
@         else:
@            first integer (a) is at stack index iin
@            b[0]..b[3] is in r0:r1:r2:r3
@            second integer (b) is not on the stack
@         alt must be 0 or 1
@   iin   index for inputs, if alt != 0 (ignored if alt == 0)
@
@ Output: result goes to index itmp (8 words). If alt != 0, then the
@ eight output words are modified, but only the first two contain the
@ correct values; the remaining 6 words of output are returned in r1..r6.
@
@ All registers except r11 are consumed (including operands).
@ IMPORTANT: destination MUST NOT overlap with either source.
@ Cost:
@   alt = 0: 114 + 3*cost(MUL64x64) = 357
@   alt = 1: 103 + 3*cost(MUL64x64) = 346
.macro MUL128x128  id, alt, iin
	@ If alt == 0, then we save input pointers in r12 and r14.
	@ If alt != 0, then we save b0 on the stack and b1 (b[2]:b[3])
	@ in r12:r14; in that case, stack indexes are skewed until we
	@ pop b0 again.

	@ a0*b0 -> dest
	.if (\alt) != 0
	push	{ r0, r1 }
	mov	r12, r2
	mov	r14, r3
	movs	r2, r1
	add	r1, sp, #(4 * ((\iin) + 2))
	ldm	r1, { r1, r3 }
	MUL64x64  r0, r2, r1, r3, r4, r5, r6, r7, r8, r10
	add	r6, sp, #(4 * ((\id) + 2))
	stm	r6!, { r0, r1, r2, r3 }
	.else
	ldm	r1!, { r4, r6 }
	mov	r12, r1
	ldm	r2!, { r5, r7 }
	mov	r14, r2
	MUL64x64  r4, r6, r5, r7, r0, r1, r2, r3, r8, r10
	add	r0, sp, #(4 * (\id))
	stm	r0!, { r4, r5, r6, r7 }
	.endif

	@ a1*b1 -> dest + 4
	.if (\alt) != 0
	add	r0, sp, #(4 * ((\iin) + 2 + 2))
	ldm	r0, { r0, r2 }
	mov	r1, r12
	mov	r3, r14
	.else
	mov	r0, r12
	ldm	r0, { r0, r2 }
	mov	r1, r14
	ldm	r1, { r1, r3 }
	.endif
	MUL64x64  r0, r2, r1, r3, r4, r5, r6, r7, r8, r10
	.if (\alt) != 0
	add	r4, sp, #(4 * ((\id) + 4 + 2))
	.else
	add	r4, sp, #(4 * ((\id) + 4))
	.endif
	stm	r4!, { r0, r1, r2, r3 }

	@ |a1-a0| -> r2:r4, sign in r6
	.if (\alt) != 0
	add	r0, sp, #(4 * ((\iin) + 2))
	.else
	mov	r0, r12
	subs	r0, #8
	.endif
	ldm	r0, { r0, r1, r2, r4 }
	subs	r2, r0
	sbcs	r4, r1
	sbcs	r6, r6
	eors	r2, r6
	eors	r4, r6
	subs	r2, r6
	sbcs	r4, r6

	@ |b0-b1| -> r1:r3, sign in r0
	.if (\alt) != 0
	pop	{ r1, r3 }   @ This removes the skew on stack indexes
	mov	r5, r12
	mov	r7, r14
	.else
	mov	r1, r14
	subs	r1, #8
	ldm	r1, { r1, r3, r5, r7 }
	.endif
	subs	r1, r5
	sbcs	r3, r7
	sbcs	r0, r0
	eors	r1, r0
	eors	r3, r0
	subs	r1, r0
	sbcs	r3, r0

	@ -sign(a0-a1)*sign(b0-b1) -> r12 (-1 if same sign, 0 otherwise)
	eors	r6, r0
	mov	r12, r6

	@ -sign(a0-a1)*sign(b0-b1) XOR |a0-a1|*|b0-b1| -> r1:r2:r4:r5
	@ Also retrieve -sign(a0-a1)*sign(b0-b1) into r5.
	MUL64x64  r1, r3, r2, r4, r0, r5, r6, r7, r8, r10
	mov	r5, r12
	eors	r1, r5
	eors	r2, r5
	eors	r3, r5
	eors	r4, r5

	@ Final assembly. The destination array already contains a0*b0
	@ and a1*b1. We must add into (shifted by two words):
	@  - a0*b0
	@  - a1*b1
	@  - xee:r12
	@ and also subtract r12:r12:r12:r12:r12. Since r12 = 0 or -1, this
	@ can be done by adding 0 or 1, which is only an initial carry
	@ in one of the additions above.

	@ We will accumulate the intermediate result in r1:r2:r3:r4:r5.

	@ Add a0*b0 into the accumulator; also perform subtraction of
	@ r12:r12:r12:r12:r12 here.
	add	r0, sp, #(4 * (\id))
	ldm	r0!, { r6, r7 }
	asrs	r5, r5, #1
	adcs	r1, r6
	adcs	r2, r7
	ldm	r0!, { r6, r7 }
	adcs	r3, r6
	adcs	r4, r7
	eors	r7, r7
	adcs	r5, r7

	@ Add a1*b1 into the accumulator.
	ldm	r0!, { r6, r7 }
	adds	r1, r6
	adcs	r2, r7
	ldm	r0!, { r6, r7 }
	adcs	r3, r6
	adcs	r4, r7
	eors	r7, r7
	adcs	r5, r7

	@ Add the accumulator into the result, at the right position.
	@ At that point, the destination buffer contains:
	@   a0*b0 + 2^128*a1*b1
	@ The mathematical result is (a0+2^64*a1)*(b0+2^64*b1); therefore,
	@ the accumulator contains:
	@   a0*b1 + a1*b0
	@ which is necessarily positive. The sign extension of that value
	@ into 6 words is then done by appending a word of value zero.

	subs	r0, #24
	ldm	r0!, { r6, r7 }
	adds	r1, r6
	adcs	r2, r7
	ldm	r0!, { r6, r7 }
	adcs	r3, r6
	adcs	r4, r7
	ldm	r0!, { r6, r7 }
	adcs	r5, r6
	eors	r6, r6
	adcs	r6, r7

	@ We write out the final accumulator only in non-alt mode; otherwise,
	@ the caller will use the registers directly.
	.if (\alt) == 0
	subs	r0, #24
	stm	r0!, { r1, r2, r3, r4, r5, r6 }
	.endif
.endm

@ Input:
@   id     output buffer index (in stack)
@   r1     pointer to first integer (a)
@   r2     pointer to second integer (b)
@   itmp   index in stack for temporary area (12 words) (counted in words)
@ IMPORTANT: destination MUST NOT overlap with either source.
@ Cost: 222 + 2*cost(MUL128x128[alt=0]) + cost(MUL128x128[alt=1]) = 1282
.macro MUL256x256  id, itmp
	@ Save b pointer to stack. This means that \id and \itmp have to be
	@ adjusted whenever used (since we pushed 1 extra word), until we
	@ pop the value again.
	push	{ r2 }
	mov	r11, r1

	@ a0*b0 -> dest
	MUL128x128  ((\id) + 1), 0, 0

	@ a1*b1 -> dest + 8
	mov	r1, r11
	ldr	r2, [sp]
	adds	r1, #16
	adds	r2, #16
	MUL128x128  ((\id) + 9), 0, 0

	@ |a1-a0| -> tmp, save sign into r11.
	mov	r1, r11
	ldm	r1, { r0, r1, r2, r3, r4, r5, r6, r7 }
	subs	r4, r0
	sbcs	r5, r1
	sbcs	r6, r2
	sbcs	r7, r3
	sbcs	r0, r0
	eors	r4, r0
	eors	r5, r0
	eors	r6, r0
	eors	r7, r0
	subs	r4, r0
	sbcs	r5, r0
	sbcs	r6, r0
	sbcs	r7, r0
	mov	r11, r0
	add	r1, sp, #(4 * ((\itmp) + 1))
	stm	r1!, { r4, r5, r6, r7 }

	@ |b0-b1| -> r0..r3, and combine sign with the one in stack slot.
	pop	{ r2 }   @ This removes the skew on stack indexes
	ldm	r2, { r0, r1, r2, r3, r4, r5, r6, r7 }
	subs	r0, r4
	sbcs	r1, r5
	sbcs	r2, r6
	sbcs	r3, r7
	sbcs	r7, r7
	eors	r0, r7
	eors	r1, r7
	eors	r2, r7
	eors	r3, r7
	subs	r0, r7
	sbcs	r1, r7
	sbcs	r2, r7
	sbcs	r3, r7
	mov	r6, r11
	eors	r7, r6
	mov	r11, r7
	@ We don't store |b0-b1| on the stack, MUL128x128 can reuse it
	@ from the registers themselves.

	@ |a0-a1|*|b0-b1| -> tmp + 4
	MUL128x128  ((\itmp) + 4), 1, (\itmp)

	@ Load |a0-a1|*|b0-b1| and XOR with sign word.
	@ Words 2..7 of the value are already in r1..r6.
	mov	r7, r11
	eors	r3, r7
	eors	r4, r7
	eors	r5, r7
	eors	r6, r7
	mov	r10, r3
	mov	r11, r4
	mov	r12, r5
	mov	r14, r6
	add	r4, sp, #(4 * ((\itmp) + 4))
	ldm	r4!, { r0, r3 }
	eors	r0, r7
	eors	r1, r7
	eors	r2, r7
	eors	r3, r7

	@ Accumulator: r0:r3:r1:r2:r10:r11:r12:r14:r7

	@ Add a0*b0 to accumulator. Also handle extra carry (for the
	@ subtraction of the sign, which is 0 or -1).
	add	r4, sp, #(4 * (\id))
	asrs	r7, r7, #1
	mov	r8, r7
	ldm	r4!, { r5, r6, r7 }
	adcs	r0, r5
	adcs	r3, r6
	adcs	r1, r7
	mov	r5, r10
	mov	r6, r11
	mov	r7, r12
	mov	r10, r0
	mov	r11, r3
	mov	r12, r1
	@ Accumulator: r10:r11:r12:r2:r5:r6:r7:r14:r8
	ldm	r4!, { r0, r1, r3 }
	adcs	r2, r0
	adcs	r5, r1
	adcs	r6, r3
	mov	r1, r14
	mov	r0, r8
	mov	r14, r2
	@ Accumulator: r10:r11:r12:r14:r5:r6:r7:r1:r0
	ldm	r4!, { r2, r3 }
	adcs	r7, r2
	adcs	r1, r3
	@ eors does not change the carry flag.
	eors	r2, r2
	adcs	r0, r2

	@ Accumulator: r10:r11:r12:r14:r5:r6:r7:r1:r0

	@ Reorganize to get the low accumulator words in low registers.
	mov	r8, r0
	mov	r0, r10
	mov	r10, r5
	mov	r2, r12
	mov	r3, r14
	mov	r14, r1
	mov	r1, r11
	mov	r11, r6
	mov	r12, r7

	@ Accumulator: r0:r1:r2:r3:r10:r11:r12:r14:r8

	@ Add a1*b1 to accumulator.
	add	r4, sp, #(4 * ((\id) + 8))
	ldm	r4!, { r5, r6, r7 }
	adds	r0, r5
	adcs	r1, r6
	adcs	r2, r7
	mov	r5, r10
	mov	r6, r11
	mov	r7, r12
	mov	r10, r0
	mov	r11, r1
	mov	r12, r2
	@ Accumulator: r10:r11:r12:r3:r5:r6:r7:r14:r8
	ldm	r4!, { r0, r1, r2 }
	adcs	r3, r0
	adcs	r5, r1
	adcs	r6, r2
	mov	r1, r14
	mov	r0, r8
	mov	r14, r3
	@ Accumulator: r10:r11:r12:r14:r5:r6:r7:r1:r0
	ldm	r4!, { r2, r3 }
	adcs	r7, r2
	adcs	r1, r3
	eors	r2, r2
	adcs	r0, r2

	@ Accumulator: r10:r11:r12:r14:r5:r6:r7:r1:r0

	@ The accumulator is necessarily nonnegative. We (virtually)
	@ extend it with three zeros, and add it to the destination
	@ buffer at the right place.

	@ Reorganization to get the low limbs into low registers.
	mov	r8, r0
	mov	r0, r10
	mov	r10, r5
	mov	r2, r12
	mov	r3, r14
	mov	r14, r1
	mov	r1, r11
	mov	r11, r6
	mov	r12, r7

	@ Accumulator: r0:r1:r2:r3:r10:r11:r12:r14:r8

	add	r4, sp, #(4 * ((\id) + 4))
	ldr	r5, [r4]
	ldr	r6, [r4, #4]
	adds	r0, r5
	adcs	r1, r6
	ldr	r5, [r4, #8]
	ldr	r6, [r4, #12]
	adcs	r2, r5
	adcs	r3, r6
	stm	r4!, { r0, r1, r2, r3 }
	mov	r0, r10
	mov	r1, r11
	mov	r2, r12
	mov	r3, r14
	ldr	r5, [r4]
	ldr	r6, [r4, #4]
	adcs	r0, r5
	adcs	r1, r6
	ldr	r5, [r4, #8]
	ldr	r6, [r4, #12]
	adcs	r2, r5
	adcs	r3, r6
	stm	r4!, { r0, r1, r2, r3 }
	ldm	r4!, { r0, r1, r2, r3 }
	mov	r7, r8
	adcs	r0, r7
	sbcs	r5, r5
	adds	r5, #1
	eors	r6, r6
	adds	r1, r5
	adcs	r2, r6
	adcs	r3, r6
	subs	r4, #16
	stm	r4!, { r0, r1, r2, r3 }
.endm
