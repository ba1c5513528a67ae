# An RPI_PICO_W image with ussl in place of MicroPython's mbedTLS TLS module, built through
# micropython.cmake (the way CMake ports take user C modules), from ../shared/vendor's rp2-deps
# (pico-sdk, tinyusb, cyw43-driver, lwip, btstack) and picotool:
#   build/firmware/RPI_PICO_W/firmware.{elf,bin,uf2}
# The board definition is ours (boards/rp2/RPI_PICO_W_USSL). The engine is the Cortex-M0+ one of
# the MPS2_AN385_M0PLUS qemu board (same target and ABI), in the `full` profile (server side and
# getpeercert() dict included: it fits the board's 1,228,800-byte firmware region with room to
# spare); USSL_RP2_PROFILE=client gives the smaller image, and the lean engine
# (`make USSL_ENGINE=lean firmware-rp2`, or USSL_RP2_PROFILE=lean) the smallest, in
# build/firmware/RPI_PICO_W-lean.
RP2_PORT := $(MPY_DIR)/ports/rp2
RP2_STAMP := $(MPY_DIR)/lib/pico-sdk/.extracted
PICOTOOL_DIR := $(BUILD)/picotool
USSL_RP2_PROFILE ?= $(if $(filter lean,$(USSL_PROFILE)),lean,full)
RP2_OUT := $(FIRMWARE)/RPI_PICO_W$(if $(filter full,$(USSL_RP2_PROFILE)),,-$(USSL_RP2_PROFILE))
RP2_ENGINE := $(FIRMWARE)/MPS2_AN385_M0PLUS$(if $(filter full,$(USSL_RP2_PROFILE)),,-$(USSL_RP2_PROFILE))/libussl.a

$(RP2_STAMP): $(MPY_STAMP) $(RP2_DEPS_TARBALL)
	echo "$(RP2_DEPS_SHA256)  $(RP2_DEPS_TARBALL)" | sha256sum -c --quiet
	tar -xJf $(RP2_DEPS_TARBALL) -C $(MPY_DIR)
	touch $@

$(PICOTOOL_DIR)/picotool/picotool: $(RP2_STAMP)
	$(call apt_install,cmake libusb-1.0-0-dev $(FW_APT_MPS2_AN385))
	rm -rf $(BUILD)/picotool-src $(BUILD)/picotool-build && mkdir -p $(BUILD)/picotool-src $(BUILD)/picotool-build
	echo "664273485d2d19a487d2830f3c78a70a5b24436c2cb8102ff2720dcd94a9e78f  $(VENDOR)/picotool-2.2.0.tar.xz" | sha256sum -c --quiet
	tar -xJf $(VENDOR)/picotool-2.2.0.tar.xz -C $(BUILD)/picotool-src
	cd $(BUILD)/picotool-build && PICO_SDK_PATH=$(MPY_DIR)/lib/pico-sdk cmake $(BUILD)/picotool-src/picotool \
	  -DCMAKE_INSTALL_PREFIX=$(PICOTOOL_DIR) -DPICOTOOL_FLAT_INSTALL=1 >$(BUILD)/picotool-build.log 2>&1 \
	  && $(MAKE) -j$(JOBS) install >>$(BUILD)/picotool-build.log 2>&1 || { tail -30 $(BUILD)/picotool-build.log; exit 1; }

# The engine's archive carries Rust's compiler_builtins, which defines memcpy, memmove, the
# soft-float routines and libm's functions (sinf, powf, log2f, ...) as weak symbols. Linked before
# the C libraries, those definitions would become the whole image's, MicroPython's math module and
# pico-sdk's --wrap fallbacks included: other code than the stock image's, and 2.5 KB more of it
# (compiler_builtins's memmove alone is 688 B against newlib's 176). The image links a copy of the
# engine in which every name the board's C libraries (libgcc, newlib's libc and libm) define is
# local to compiler_builtins, so those libraries serve every caller, the engine included.
RP2_GCC_M0PLUS := arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb
RP2_LIB := $(RP2_OUT)/libussl.a
$(RP2_LIB): $(RP2_ENGINE)
	@mkdir -p $(@D)
	arm-none-eabi-nm -g --defined-only $$($(RP2_GCC_M0PLUS) -print-libgcc-file-name) \
	  $$($(RP2_GCC_M0PLUS) -print-file-name=libc.a) $$($(RP2_GCC_M0PLUS) -print-file-name=libm.a) \
	  | awk 'NF == 3 { print $$3 }' | sort -u >$@.c-library-names
	test -s $@.c-library-names
	arm-none-eabi-objcopy --localize-symbols=$@.c-library-names $< $@.tmp && mv $@.tmp $@

# The engine comes from the firmware rules in the board's profile (a make of its own when that
# is not the profile of this one).
ifneq ($(USSL_PROFILE),$(USSL_RP2_PROFILE))
$(RP2_ENGINE): FORCE
	@$(MAKE) --no-print-directory USSL_PROFILE=$(USSL_RP2_PROFILE) $@
endif

firmware-rp2: $(RP2_STAMP) $(PICOTOOL_DIR)/picotool/picotool $(MPY_CROSS) $(RP2_LIB)
	@mkdir -p $(RP2_OUT)
	cmake -S $(RP2_PORT) -B $(RP2_OUT)/build -DPICO_BUILD_DOCS=0 -DMICROPY_BOARD=RPI_PICO_W_USSL \
	  -DMICROPY_BOARD_DIR=$(ROOT)/boards/rp2/RPI_PICO_W_USSL -DUSER_C_MODULES=$(ROOT)/mpy_module/micropython.cmake \
	  -DUSSL_LIB=$(RP2_LIB) -DUSSL_FEATURES=$(USSL_RP2_PROFILE) -Dpicotool_DIR=$(PICOTOOL_DIR)/picotool \
	  >$(RP2_OUT)/build.log 2>&1 || { tail -30 $(RP2_OUT)/build.log; exit 1; }
	$(MAKE) -j$(JOBS) -C $(RP2_OUT)/build >>$(RP2_OUT)/build.log 2>&1 || { tail -40 $(RP2_OUT)/build.log; exit 1; }
	@cp $(RP2_OUT)/build/firmware.elf $(RP2_OUT)/build/firmware.bin $(RP2_OUT)/build/firmware.uf2 $(RP2_OUT)/
	@echo "built $(RP2_OUT)/firmware.uf2 ($$(stat -c %s $(RP2_OUT)/firmware.bin) bytes of firmware)"

# The stock board with MicroPython's own mbedTLS module, for make size and make bench (in the RP2040 emulator).
firmware-rp2-stock: $(RP2_STAMP) $(PICOTOOL_DIR)/picotool/picotool $(MPY_CROSS)
	@mkdir -p $(FIRMWARE)/RPI_PICO_W-mbedtls
	cmake -S $(RP2_PORT) -B $(FIRMWARE)/RPI_PICO_W-mbedtls/build -DPICO_BUILD_DOCS=0 -DMICROPY_BOARD=RPI_PICO_W \
	  -Dpicotool_DIR=$(PICOTOOL_DIR)/picotool >$(FIRMWARE)/RPI_PICO_W-mbedtls/build.log 2>&1
	$(MAKE) -j$(JOBS) -C $(FIRMWARE)/RPI_PICO_W-mbedtls/build >>$(FIRMWARE)/RPI_PICO_W-mbedtls/build.log 2>&1 \
	  || { tail -40 $(FIRMWARE)/RPI_PICO_W-mbedtls/build.log; exit 1; }
	@cp $(FIRMWARE)/RPI_PICO_W-mbedtls/build/firmware.elf $(FIRMWARE)/RPI_PICO_W-mbedtls/build/firmware.bin \
	  $(FIRMWARE)/RPI_PICO_W-mbedtls/build/firmware.uf2 $(FIRMWARE)/RPI_PICO_W-mbedtls/

.PHONY: firmware-rp2 firmware-rp2-stock

# Wokwi's RP2040 emulator, from npm (rp2040js, pinned with its checksum in
# tests_fw/rp2040/package-lock.json), into build/rp2040js; node and npm from apt when missing.
# tests_fw/rp2040/harness.cjs runs the Pico images in it (tests_fw/test_pico_w*.py,
# tests_fw/test_primitives.py, bench/rp2040_bench.py).
RP2040JS_DIR := $(BUILD)/rp2040js
RP2040JS_STAMP := $(RP2040JS_DIR)/.installed
$(RP2040JS_STAMP): tests_fw/rp2040/package.json tests_fw/rp2040/package-lock.json
	$(if $(shell command -v node && command -v npm),,$(call apt_install,nodejs npm))
	rm -rf $(RP2040JS_DIR) && mkdir -p $(RP2040JS_DIR)
	cp tests_fw/rp2040/package.json tests_fw/rp2040/package-lock.json $(RP2040JS_DIR)/
	cd $(RP2040JS_DIR) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@
rp2040js: $(RP2040JS_STAMP)

.PHONY: rp2040js
