# cargo-fuzz targets (fuzz/): `make fuzz` runs each for FUZZ_SECONDS (60; `make test` gives the
# six targets 40 s each, to keep CI inside its 40 minutes; an hour each for the figures in the
# notes: `make fuzz FUZZ_SECONDS=3600`).
FUZZ_SECONDS ?= 60
CARGO_FUZZ_VERSION := 0.13.1

.PHONY: fuzz
fuzz:
	$(call nightly_src)
	@cargo fuzz --version 2>/dev/null | grep -q '$(CARGO_FUZZ_VERSION)' || \
	  cargo install cargo-fuzz --version =$(CARGO_FUZZ_VERSION) --locked
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh
