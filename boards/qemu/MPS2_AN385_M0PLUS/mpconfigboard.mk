# The MPS2_AN385 machine with every line of code built for a Cortex-M0+ (ARMv6-M, the RP2040's
# core): qemu's Cortex-M3 runs ARMv6-M code, so thumbv6m builds are tested in the emulator.
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an385

CFLAGS += -mthumb -mcpu=cortex-m0plus -mfloat-abi=soft
CFLAGS += -DQEMU_SOC_MPS2
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M0+ (on an MPS2 AN385)"'

LDSCRIPT = mcu/arm/mps2.ld

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb1.o

MPY_CROSS_FLAGS += -march=armv6m
