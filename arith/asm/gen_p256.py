#!/usr/bin/env python3
"""Writes asm/p256.S (python3 gen_p256.py > p256.S):
Montgomery reduction, the final conditional subtraction, addition and subtraction modulo
p = 2^256 - 2^224 + 2^192 + 2^96 - 1, as straight-line ARMv6-M code.

The reduction (column by column, with a signed carry): since p = -1 mod 2^32, the multiple of p
that clears word i of t is q_i = (word i) itself, and q_i * p adds q_i to words i+3, i+6, i+8
and takes it from words i+7 and i (which it clears). So column j's sum is
    t_j + q_{j-3} + q_{j-6} - q_{j-7} + q_{j-8} + carry
(terms with indices outside 0..7 absent); for j < 8 its low word is q_j (stored in t_j's slot),
for j >= 8 the result's word j-8; its high word (signed) carries on. The result, below 2p, then
gets one conditional subtraction of p. The same final step serves the addition."""

out = []
emit = out.append


def reduce_macro():
    emit("@ P256_MONT_REDUCE base: t (16 words at stack index `base`) / 2^256 mod p, up to one")
    emit("@ subtraction: the 8 result words replace t[8..15], the carry above them (0 or 1) is in")
    emit("@ r1. Uses r0-r4.")
    emit(".macro P256_MONT_REDUCE  base")
    emit("\tmovs\tr4, #0")
    for j in range(16):
        emit(f"\t@ column {j}")
        if j == 0:
            emit(f"\tldr\tr0, [sp, #(4 * ((\\base) + {j}))]")
            emit("\tmovs\tr1, #0")
        else:
            emit("\tmov\tr0, r1")
            emit("\tasrs\tr1, r0, #31")
            emit(f"\tldr\tr2, [sp, #(4 * ((\\base) + {j}))]")
            emit("\tadds\tr0, r2")
            emit("\tadcs\tr1, r4")
        for k, sign in ((3, "+"), (6, "+"), (7, "-"), (8, "+")):
            i = j - k
            if 0 <= i < 8:
                emit(f"\tldr\tr2, [sp, #(4 * ((\\base) + {i}))]")
                if sign == "+":
                    emit("\tadds\tr0, r2")
                    emit("\tadcs\tr1, r4")
                else:
                    emit("\tsubs\tr0, r2")
                    emit("\tsbcs\tr1, r4")
        emit(f"\tstr\tr0, [sp, #(4 * ((\\base) + {j}))]")
    emit(".endm")
    emit("")


def reduce_once_macro():
    emit("@ P256_REDUCE_ONCE rb, ib, it: the value v = w + c * 2^256, with w the 8 words at stack")
    emit("@ index `ib`, c (0 or 1) in r1 and v < 2p, reduced below p: v - p if that is not")
    emit("@ negative, else w; written to the 8 words at r7. Stack index `it` is 8 words of scratch")
    emit("@ (may be the same as `ib` + 8 only if unused). Uses r0, r2, r4-r6.")
    emit("@ w - p is computed as w + (2^256 - p), words 1, 0, 0, -1, -1, -1, -2, 0: it carries")
    emit("@ out exactly when w >= p; v >= p when that or c holds.")
    emit(".macro P256_REDUCE_ONCE  ib, it")
    emit("\tmovs\tr4, #0")
    emit("\tmvns\tr5, r4")
    emit("\tsubs\tr6, r5, #1")
    consts = ["#1", "r4", "r4", "r5", "r5", "r5", "r6", "r4"]
    for i, c in enumerate(consts):
        emit(f"\tldr\tr0, [sp, #(4 * ((\\ib) + {i}))]")
        if i == 0:
            emit(f"\tadds\tr0, {c}")
        else:
            emit(f"\tadcs\tr0, {c}")
        emit(f"\tstr\tr0, [sp, #(4 * ((\\it) + {i}))]")
    emit("\tadcs\tr4, r4")
    emit("\torrs\tr4, r1")
    emit("\trsbs\tr4, r4, #0")
    for i in range(8):
        emit(f"\tldr\tr0, [sp, #(4 * ((\\ib) + {i}))]")
        emit(f"\tldr\tr2, [sp, #(4 * ((\\it) + {i}))]")
        emit("\teors\tr2, r0")
        emit("\tands\tr2, r4")
        emit("\teors\tr0, r2")
        emit(f"\tstr\tr0, [r7, #{4 * i}]")
    emit(".endm")
    emit("")


def function_head(name):
    emit("\t.align\t1")
    emit(f"\t.global\t{name}")
    emit("\t.thumb_func")
    emit(f"\t.type\t{name}, %function")
    emit(f"{name}:")


def words_to_stack(first, rest):
    """[sp] = [r1] op [r2], word by word: `first` on word 0, `rest` (with the carry) on the others."""
    for i in range(8):
        emit(f"\tldr\tr3, [r1, #{4 * i}]")
        emit(f"\tldr\tr4, [r2, #{4 * i}]")
        emit(f"\t{first if i == 0 else rest}\tr3, r4")
        emit(f"\tstr\tr3, [sp, #{4 * i}]")


def add_function():
    emit("@ void ussl_arith_p256_add(uint32_t d[8], const uint32_t a[8], const uint32_t b[8])")
    emit("@ d = a + b mod p, for a, b < p. d may be a or b.")
    function_head("ussl_arith_p256_add")
    emit("\tpush\t{ r4, r5, r6, r7, lr }")
    emit("\tsub\tsp, #64")
    emit("\tmov\tr7, r0")
    words_to_stack("adds", "adcs")
    emit("\tmovs\tr1, #0")
    emit("\tadcs\tr1, r1")
    emit("\tP256_REDUCE_ONCE  0, 8")
    emit("\tadd\tsp, #64")
    emit("\tpop\t{ r4, r5, r6, r7, pc }")
    emit("\t.size\tussl_arith_p256_add, .-ussl_arith_p256_add")
    emit("")


def sub_function():
    emit("@ void ussl_arith_p256_sub(uint32_t d[8], const uint32_t a[8], const uint32_t b[8])")
    emit("@ d = a - b mod p, for a, b < p: a - b, plus p when that borrowed (p masked by the")
    emit("@ borrow: words m, m, m, 0, 0, 0, m & 1, m). d may be a or b.")
    function_head("ussl_arith_p256_sub")
    emit("\tpush\t{ r4, r5, r6, r7, lr }")
    emit("\tsub\tsp, #32")
    words_to_stack("subs", "sbcs")
    emit("\tsbcs\tr5, r5")
    emit("\tmovs\tr4, #0")
    emit("\trsbs\tr6, r5, #0")
    masks = ["r5", "r5", "r5", "r4", "r4", "r4", "r6", "r5"]
    for i, m in enumerate(masks):
        emit(f"\tldr\tr3, [sp, #{4 * i}]")
        emit(f"\tadds\tr3, {m}" if i == 0 else f"\tadcs\tr3, {m}")
        emit(f"\tstr\tr3, [r0, #{4 * i}]")
    emit("\tadd\tsp, #32")
    emit("\tpop\t{ r4, r5, r6, r7, pc }")
    emit("\t.size\tussl_arith_p256_sub, .-ussl_arith_p256_sub")
    emit("")


emit("@ Part of the ARMv6-M kernels of ussl-arith; src/asm.rs assembles the files in order")
emit("@ (cm0.S, mul.S, sqr.S, gf25519.S, p256.S, functions.S): later files use earlier macros.")
emit("")
emit("@ ---- P-256: generated by asm/gen_p256.py (edit that, not this) ----")
emit("")
reduce_macro()
reduce_once_macro()
add_function()
sub_function()
emit("@ ---- end of generated ----")
print("\n".join(out))
