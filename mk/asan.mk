# The suite under AddressSanitizer with the engine's memory where the checker sees it:
# build/micropython-asan is the unix port compiled with -fsanitize=address (MicroPython's own CI
# flags, tools/ci.sh), linked with an engine built by nightly with -Zsanitizer=address and feature
# `malloc` (its blocks come from the C library, not from MicroPython's GC heap, inside which ASan
# sees nothing). Every report, leaks at exit included, lands in build/asan/; `make test-asan`
# fails unless there is none.
ASAN_BUILD := $(BUILD)/unix-ussl-asan
ASAN_TARGET_DIR := $(ROOT)/target/asan
ASAN_LIB := $(ASAN_TARGET_DIR)/x86_64-unknown-linux-gnu/release/libussl.a
ASAN_CFLAGS := -fsanitize=address --param asan-use-after-return=0 -DMP_ASAN=1
# One test left out: the malloc-routed engine cannot mean it (it fills MicroPython's heap and
# expects the engine to run out of it; the heap sweep still runs, its handshakes then finish or
# raise MemoryError from MicroPython's own objects).
ASAN_SKIP := --deselect tests_py/test_robustness.py::test_running_out_of_memory_then_recovering \
  --deselect tests_py/test_workspace_spares.py::test_record_calls_reuse_spare_blocks_and_a_collection_frees_them
# verify_asan_link_order=0: test_clock.py runs the binary under faketime's LD_PRELOAD.
ASAN_OPTIONS := log_path=$(BUILD)/asan/report:detect_leaks=1:verify_asan_link_order=0

.PHONY: engine-asan test-asan

engine-asan: $(MPY_STAMP)
	@mkdir -p $(ASAN_BUILD)
	$(call nightly_src)
	@$(MAKE) --no-print-directory apt-deps
	$(ENGINE_ENV_UNIX) MICROPY_BUILD_DIR=$(ASAN_BUILD) CARGO_TARGET_DIR=$(ASAN_TARGET_DIR) \
	  RUSTFLAGS=-Zsanitizer=address cargo +nightly rustc --lib --crate-type staticlib --release \
	  --target x86_64-unknown-linux-gnu $(UNIX_ENGINE_FEATURES),malloc

$(BUILD)/micropython-asan: engine-asan $(MPY_CROSS)
	$(MAKE) -C $(UNIX_DIR) -j$(JOBS) $(filter-out BUILD=% USSL_LIB=%,$(UNIX_FLAGS)) BUILD=$(ASAN_BUILD) \
	  USSL_LIB=$(ASAN_LIB) CFLAGS_EXTRA="$(ASAN_CFLAGS)" LDFLAGS_EXTRA="$(ASAN_CFLAGS)" \
	  >$(ASAN_BUILD).log 2>&1 || { tail -40 $(ASAN_BUILD).log; exit 1; }
	cp $(ASAN_BUILD)/micropython $@

test-asan: $(BUILD)/micropython-asan venv
	rm -rf $(BUILD)/asan && mkdir -p $(BUILD)/asan
	@echo "test-asan deselects test_running_out_of_memory_then_recovering and test_workspace_spares: the engine's memory (its workspaces too, so no spares) is not on MicroPython's heap here"
	ASAN_OPTIONS=$(ASAN_OPTIONS) MICROPY_DIR=$(MPY_DIR) \
	  MICROPYTHON=$(BUILD)/micropython-asan $(PYTEST) tests_py $(ASAN_SKIP)
	@sh mk/asan_verdict.sh $(BUILD)/asan
