# Which MicroPython tree the build uses (MPY_DIR), and how it gets there.
#   MICROPY_DIR=/path     a tree of the user's own (how firmware builders work); used as it is
#   MPY_SOURCE=debian     Debian's 1.25.0 source package (the fallback; CI builds it as a smoke test)
#   otherwise             1.28.0 from ../shared/vendor, extracted into build/ (Debian's 1.25.0 when
#                         that tarball is not there)
# MPY_TAG names the tree in build directories, so trees never share objects.
MPY_VENDOR_TARBALL := $(VENDOR)/micropython-1.28.0.tar.xz
MPY_VENDOR_SHA256 := 02b1dc53fd28fd344fe2eab4d5a787a92e2fe94ab305d3132391d16a15fc02e8
RP2_DEPS_TARBALL := $(VENDOR)/rp2-deps-micropython-1.28.0.tar.xz
RP2_DEPS_SHA256 := 04b00260d608d3febe35fa14439472397660be05576a248402c6090725b30ed8

ifneq ($(strip $(MICROPY_DIR)),)
MPY_DIR := $(abspath $(MICROPY_DIR))
MPY_TAG := custom
MPY_STAMP := $(MPY_DIR)/py/mpconfig.h
else ifeq ($(MPY_SOURCE),debian)
MPY_DIR := $(BUILD)/micropython-src
MPY_TAG := 1.25.0
MPY_STAMP := $(MPY_DIR)/.fetched-1.25.0+ds-1
else ifneq ($(wildcard $(MPY_VENDOR_TARBALL)),)
MPY_DIR := $(BUILD)/micropython-1.28.0
MPY_TAG := 1.28.0
MPY_STAMP := $(MPY_DIR)/.extracted
else
MPY_DIR := $(BUILD)/micropython-src
MPY_TAG := 1.25.0
MPY_STAMP := $(MPY_DIR)/.fetched-1.25.0+ds-1
endif

MPY_CROSS := $(MPY_DIR)/mpy-cross/build/mpy-cross

$(BUILD)/micropython-1.28.0/.extracted: $(MPY_VENDOR_TARBALL)
	@$(MAKE) --no-print-directory apt-deps
	echo "$(MPY_VENDOR_SHA256)  $<" | sha256sum -c --quiet
	rm -rf $(@D) && mkdir -p $(BUILD)
	tar -xJf $< -C $(BUILD)
	touch $@

$(BUILD)/micropython-src/.fetched-1.25.0+ds-1:
	@$(MAKE) --no-print-directory apt-deps
	scripts/fetch-micropython.sh $(@D)

ifeq ($(MPY_TAG),custom)
$(MPY_STAMP):
	@echo "MICROPY_DIR=$(MPY_DIR) is not a MicroPython tree (no py/mpconfig.h)"; exit 1
endif

micropython-src: $(MPY_STAMP)

$(MPY_CROSS): $(MPY_STAMP)
	$(MAKE) -C $(MPY_DIR)/mpy-cross -j$(JOBS) >/dev/null
