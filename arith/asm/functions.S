@ Part of the ARMv6-M kernels of ussl-arith; src/asm.rs assembles the files in order
@ (cm0.S, mul.S, sqr.S, gf25519.S, p256.S, functions.S): later files use earlier macros.

@ =======================================================================
@ Our functions.
@ =======================================================================

@ Saves r4-r7, r8, r10, r11 and lr (the macros use every register but r9).
.macro SAVE_REGS
	push	{ r4, r5, r6, r7, lr }
	mov	r4, r8
	mov	r5, r10
	mov	r6, r11
	push	{ r4, r5, r6 }
.endm

.macro RESTORE_REGS_AND_RETURN
	pop	{ r4, r5, r6 }
	mov	r8, r4
	mov	r10, r5
	mov	r11, r6
	pop	{ r4, r5, r6, r7, pc }
.endm

@ Copies the 16-word result at [sp + 8] to the output saved at [sp] (mul256_core and
@ sqr256_core's frames); r0-r7 clobbered.
.macro COPY_OUT16
	ldr	r0, [sp]
	add	r1, sp, #8
	ldm	r1!, { r2, r3, r4, r5, r6, r7 }
	stm	r0!, { r2, r3, r4, r5, r6, r7 }
	ldm	r1!, { r2, r3, r4, r5, r6, r7 }
	stm	r0!, { r2, r3, r4, r5, r6, r7 }
	ldm	r1!, { r2, r3, r4, r5 }
	stm	r0!, { r2, r3, r4, r5 }
.endm

@ mul256_core: [r0] = [r1] * [r2] (8 x 8 -> 16 words). r0 must not overlap
@ the stack frame; it may be r1 or r2. Local calling convention: every
@ register but r9 is clobbered.
	.align	1
	.thumb_func
	.type	mul256_core, %function
mul256_core:
	@ Stack: [0] r0, [1] lr, [2..17] product, [18..29] scratch for MUL256x256.
	sub	sp, #112
	push	{ r0, lr }
	MUL256x256  2, 18
	COPY_OUT16
	pop	{ r0, r1 }
	add	sp, #112
	bx	r1
	.size	mul256_core, .-mul256_core

@ sqr256_core: [r0] = [r1]^2, as mul256_core.
	.align	1
	.thumb_func
	.type	sqr256_core, %function
sqr256_core:
	@ Stack: [0] r0, [1] lr, [2..17] square, [18..25] scratch for SQR256.
	sub	sp, #96
	push	{ r0, lr }
	SQR256  2, 18
	COPY_OUT16
	pop	{ r0, r1 }
	add	sp, #96
	bx	r1
	.size	sqr256_core, .-sqr256_core

@ void ussl_arith_mul256(uint32_t d[16], const uint32_t a[8], const uint32_t b[8])
@ d = a * b (little-endian words).
	.align	1
	.global	ussl_arith_mul256
	.thumb_func
	.type	ussl_arith_mul256, %function
ussl_arith_mul256:
	SAVE_REGS
	bl	mul256_core
	RESTORE_REGS_AND_RETURN
	.size	ussl_arith_mul256, .-ussl_arith_mul256

@ void ussl_arith_sqr256(uint32_t d[16], const uint32_t a[8])
	.align	1
	.global	ussl_arith_sqr256
	.thumb_func
	.type	ussl_arith_sqr256, %function
ussl_arith_sqr256:
	SAVE_REGS
	bl	sqr256_core
	RESTORE_REGS_AND_RETURN
	.size	ussl_arith_sqr256, .-ussl_arith_sqr256

@ Finishes a 2^255-19 product: the 16 words at the stack top reduced (REDUCE),
@ written to the pointer at stack index 16, and the stack (17 words) freed.
.macro GF25519_FINISH
	REDUCE  0, 1f
	@ The result is in r0:r1:r2:r3:r4:r10:r11:r7.
	ldr	r5, [sp, #64]
	stm	r5!, { r0, r1, r2, r3, r4 }
	mov	r0, r10
	mov	r1, r11
	stm	r5!, { r0, r1, r7 }
	add	sp, #68
	RESTORE_REGS_AND_RETURN
	.align	2
1:
	.long	2 * MQ
.endm

	.section .text.ussl_arith_gf25519, "ax", %progbits

@ void ussl_arith_gf25519_mul(uint32_t d[8], const uint32_t a[8], const uint32_t b[8])
@ d = a * b mod 2^255-19, for any a, b < 2^256; d < 2^256, not always
@ fully reduced.
	.align	1
	.global	ussl_arith_gf25519_mul
	.thumb_func
	.type	ussl_arith_gf25519_mul, %function
ussl_arith_gf25519_mul:
	SAVE_REGS
	push	{ r0 }
	sub	sp, #64
	mov	r0, sp
	bl	mul256_core
	GF25519_FINISH
	.size	ussl_arith_gf25519_mul, .-ussl_arith_gf25519_mul

@ void ussl_arith_gf25519_sqr(uint32_t d[8], const uint32_t a[8])
	.align	1
	.global	ussl_arith_gf25519_sqr
	.thumb_func
	.type	ussl_arith_gf25519_sqr, %function
ussl_arith_gf25519_sqr:
	SAVE_REGS
	push	{ r0 }
	sub	sp, #64
	mov	r0, sp
	bl	sqr256_core
	GF25519_FINISH
	.size	ussl_arith_gf25519_sqr, .-ussl_arith_gf25519_sqr

@ void ussl_arith_gf25519_add(uint32_t d[8], const uint32_t a[8], const uint32_t b[8])
@ d = a + b mod 2^255-19, d < 2^256 (gf_add_inner).
	.align	1
	.global	ussl_arith_gf25519_add
	.thumb_func
	.type	ussl_arith_gf25519_add, %function
ussl_arith_gf25519_add:
	SAVE_REGS
	bl	gf_add_inner
	RESTORE_REGS_AND_RETURN
	.size	ussl_arith_gf25519_add, .-ussl_arith_gf25519_add

@ void ussl_arith_gf25519_sub(uint32_t d[8], const uint32_t a[8], const uint32_t b[8])
@ d = a - b mod 2^255-19, d < 2^256 (gf_sub_inner).
	.align	1
	.global	ussl_arith_gf25519_sub
	.thumb_func
	.type	ussl_arith_gf25519_sub, %function
ussl_arith_gf25519_sub:
	SAVE_REGS
	bl	gf_sub_inner
	RESTORE_REGS_AND_RETURN
	.size	ussl_arith_gf25519_sub, .-ussl_arith_gf25519_sub
	.text

@ Montgomery multiplication modulo p (P-256): the 16-word product at the
@ stack top reduced, written to the pointer at stack index 16, stack freed.
.macro P256_FINISH
	P256_MONT_REDUCE  0
	ldr	r7, [sp, #64]
	@ The result words are t[8..15]; t[0..7] are free for scratch.
	P256_REDUCE_ONCE  8, 0
	add	sp, #68
	RESTORE_REGS_AND_RETURN
.endm

@ void ussl_arith_p256_mul(uint32_t d[8], const uint32_t a[8], const uint32_t b[8])
@ d = a * b / 2^256 mod p (Montgomery), for a, b < p; d < p.
	.align	1
	.global	ussl_arith_p256_mul
	.thumb_func
	.type	ussl_arith_p256_mul, %function
ussl_arith_p256_mul:
	SAVE_REGS
	push	{ r0 }
	sub	sp, #64
	mov	r0, sp
	bl	mul256_core
	P256_FINISH
	.size	ussl_arith_p256_mul, .-ussl_arith_p256_mul

@ void ussl_arith_p256_sqr(uint32_t d[8], const uint32_t a[8])
@ d = a * a / 2^256 mod p.
	.align	1
	.global	ussl_arith_p256_sqr
	.thumb_func
	.type	ussl_arith_p256_sqr, %function
ussl_arith_p256_sqr:
	SAVE_REGS
	push	{ r0 }
	sub	sp, #64
	mov	r0, sp
	bl	sqr256_core
	P256_FINISH
	.size	ussl_arith_p256_sqr, .-ussl_arith_p256_sqr
