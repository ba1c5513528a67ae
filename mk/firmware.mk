# Firmware images of MicroPython's qemu port with ussl as a user C module, tested in the
# emulator (tests_fw/), and the same boards with MicroPython's own mbedTLS module and with no
# TLS at all, for `make bench` and `make size`.
#   build/firmware/<BOARD>/firmware.elf          ussl
#   build/firmware/<BOARD>-notls/firmware.elf    no TLS (the baseline for flash)
#   build/firmware/<BOARD>-mbedtls/firmware.elf  MicroPython's mbedTLS module (MPS2_AN385)
FIRMWARE := $(BUILD)/firmware
# The cargo profile of the engine in firmware images (Cargo.toml).
FW_PROFILE ?= firmware
QEMU_PORT := $(MPY_DIR)/ports/qemu
QEMU_BOARDS := MPS2_AN385 VIRT_RV32 MPS2_AN385_M0PLUS

# Per board: the Rust target, the toolchain and emulator packages, what bindgen needs to read
# the port's headers as the C compiler does, and extra flags for the port's make.
RUST_TARGET_MPS2_AN385 := thumbv7m-none-eabi
RUST_TARGET_VIRT_RV32 := riscv32imac-unknown-none-elf
# ARMv6-M has no compare-and-swap, and rustls needs Arc: a target spec that lets LLVM call the
# __sync functions of mpy_module/port_atomics.c, built with nightly's build-std.
RUST_TARGET_MPS2_AN385_M0PLUS := thumbv6m-none-eabi-cas
CARGO_MPS2_AN385_M0PLUS := +nightly
# Since core is built here anyway, it is built for size, and Debug formatting compiles to nothing
# (the engine's texts are static; what is left of core::fmt is rustls's Display): 24 KB less.
# The `aes` crate's compact fixslicing (aes_compact): 2.4 KB less on the RP2040's core, for
# slower AES blocks (the record layer and cryptolib; BENCHMARKS.md, Pico W).
CARGO_FLAGS_MPS2_AN385_M0PLUS := -Z build-std=core,alloc -Zjson-target-spec -Zbuild-std-features=optimize_for_size
CARGO_ENV_MPS2_AN385_M0PLUS := RUSTFLAGS="-Zfmt-debug=none --cfg aes_compact"
RUST_TARGET_ARG_MPS2_AN385_M0PLUS := $(ROOT)/targets/thumbv6m-none-eabi-cas.json
FW_APT_MPS2_AN385_M0PLUS = $(FW_APT_MPS2_AN385)
BINDGEN_CFLAGS_MPS2_AN385_M0PLUS = --target=thumbv6m-none-eabi $(BINDGEN_CFLAGS_MPS2_AN385)
OBJCOPY_MPS2_AN385_M0PLUS := arm-none-eabi-objcopy
# A board definition of ours (boards/qemu/): the AN385 machine, code for a Cortex-M0+.
BOARD_DIR_MPS2_AN385_M0PLUS := $(ROOT)/boards/qemu/MPS2_AN385_M0PLUS
PORT_FLAGS_MPS2_AN385_M0PLUS := BOARD_DIR=$(BOARD_DIR_MPS2_AN385_M0PLUS)
# The lean engine's images are built for size on every board, core and alloc included, as the
# Cortex-M0+ one always is (the lean engine exists for flash).
# Their cargo profile, firmware-lean, also builds ussl-arith for size (Cargo.toml).
ifeq ($(USSL_PROFILE),lean)
FW_PROFILE := firmware-lean
$(foreach b,MPS2_AN385 VIRT_RV32,$(eval CARGO_$(b) := +nightly)$(eval CARGO_ENV_$(b) := RUSTFLAGS="-Zfmt-debug=none") \
  $(eval CARGO_FLAGS_$(b) := -Z build-std=core,alloc -Zbuild-std-features=optimize_for_size))
endif
FW_APT_MPS2_AN385 := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
FW_APT_VIRT_RV32 := gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc
BINDGEN_CFLAGS_MPS2_AN385 := -I/usr/lib/arm-none-eabi/include -DQEMU_SOC_MPS2
BINDGEN_CFLAGS_VIRT_RV32 := -I/usr/lib/picolibc/riscv64-unknown-elf/include -DQEMU_SOC_VIRT
# Debian's GCC 12 has no rv32 multilib for the port's default -march=rv32imac_zicsr (it links
# 64-bit libraries); the old ISA spec keeps csr instructions inside rv32imac.
PORT_FLAGS_VIRT_RV32 := RV32_ARCH="rv32imac -misa-spec=2.2"
OBJCOPY_MPS2_AN385 := arm-none-eabi-objcopy

FW_MANIFEST_ussl := $(ROOT)/mpy_module/manifest_board.py
FW_MANIFEST_notls := $(ROOT)/bench/qemu/manifest_notls.py
FW_MANIFEST_mbedtls := $(ROOT)/bench/qemu/manifest_mbedtls.py

firmware: $(foreach b,$(QEMU_BOARDS),$(FIRMWARE)/$(b)$(PROFILE_TAG)/firmware.elf)
firmware-baseline: $(foreach b,$(QEMU_BOARDS),$(FIRMWARE)/$(b)-notls/firmware.elf)
firmware-bench: firmware firmware-baseline $(FIRMWARE)/MPS2_AN385-mbedtls/firmware.elf $(FIRMWARE)/MPS2_AN385-lean/firmware.elf

# The lean engine's image, from a make of its own when this one builds another profile.
ifneq ($(USSL_PROFILE),lean)
$(FIRMWARE)/MPS2_AN385-lean/firmware.elf: FORCE
	@$(MAKE) --no-print-directory USSL_ENGINE=lean $@
endif

# $(1): board. The engine for the board's target, with Rust's unwinding tables dropped (panic =
# abort; on ARM they collide with the port's linker script).
define engine_for_board
$(FIRMWARE)/$(1)$(PROFILE_TAG)/libussl.a: $(MPY_STAMP) FORCE
	$$(call apt_install,$(FW_APT_$(1)) clang libclang-dev)
	$$(if $(CARGO_$(1)),$$(call nightly_src),$$(call rust_target,$(RUST_TARGET_$(1))))
	MICROPY_DIR=$(MPY_DIR) MICROPY_PORT_DIR=$(QEMU_PORT) MICROPY_VARIANT_DIR=$(or $(BOARD_DIR_$(1)),$(QEMU_PORT)/boards/$(1)) \
	  MICROPY_BUILD_DIR=$(FIRMWARE)/$(1)$(PROFILE_TAG)/build MICROPY_CFLAGS="$(BINDGEN_CFLAGS_$(1))" \
	  $(CARGO_ENV_$(1)) cargo $(CARGO_$(1)) rustc --lib --crate-type staticlib $(CARGO_FLAGS_$(1)) --profile $(FW_PROFILE) $(ENGINE_FEATURES) \
	  --target $(or $(RUST_TARGET_ARG_$(1)),$(RUST_TARGET_$(1)))
	@mkdir -p $$(@D)
	@src=$(ROOT)/target/$(RUST_TARGET_$(1))/$(FW_PROFILE)/libussl.a; \
	if [ -n "$(OBJCOPY_$(1))" ]; then $(OBJCOPY_$(1)) -R '.ARM.exidx*' -R '.ARM.extab*' $$$$src $$@.tmp; \
	else cp $$$$src $$@.tmp; fi; \
	cmp -s $$@.tmp $$@ && rm $$@.tmp || mv $$@.tmp $$@
endef
$(foreach b,$(QEMU_BOARDS),$(eval $(call engine_for_board,$(b))))

# $(1): board, $(2): ussl | notls | mbedtls, $(3): output directory, $(4): extra port flags.
define qemu_image
$(3)/firmware.elf: $(MPY_CROSS) $(if $(filter ussl,$(2)),$(3)/libussl.a) FORCE
	$$(call apt_install,$(FW_APT_$(1)))
	@mkdir -p $(3)
	$(MAKE) -C $(QEMU_PORT) BOARD=$(1) BUILD=$(3)/build FROZEN_MANIFEST=$(FW_MANIFEST_$(2)) \
	  $(PORT_FLAGS_$(1)) $(4) >$(3)/build.log 2>&1 || { tail -40 $(3)/build.log; exit 1; }
	@cp $(3)/build/firmware.elf $$@.tmp && (cmp -s $$@.tmp $$@ && rm $$@.tmp || mv $$@.tmp $$@)
	@tail -2 $(3)/build.log | head -2
endef
$(foreach b,$(QEMU_BOARDS),$(eval $(call qemu_image,$(b),ussl,$(FIRMWARE)/$(b)$(PROFILE_TAG),USER_C_MODULES=$(ROOT) USSL_LIB=$(FIRMWARE)/$(b)$(PROFILE_TAG)/libussl.a USSL_FEATURES=$(USSL_PROFILE))))
$(foreach b,$(QEMU_BOARDS),$(eval $(call qemu_image,$(b),notls,$(FIRMWARE)/$(b)-notls,)))
$(eval $(call qemu_image,MPS2_AN385,mbedtls,$(FIRMWARE)/MPS2_AN385-mbedtls,MICROPY_PY_SSL=1 MICROPY_SSL_MBEDTLS=1 USER_C_MODULES=$(ROOT)/bench/qemu))

.PHONY: FORCE firmware-baseline firmware-bench
FORCE:
