# tlsfuzzer (tests_tlsfuzzer/): its own virtual environment (tlslite-ng 0.9.0b2, not the 0.8.2
# the pytest suite uses), with random choices seeded (tests_tlsfuzzer/ussl_seed.py) so that N_LIMIT
# picks the same probes each run. `make tlsfuzzer` (in make test, 20 probes per script); `make tlsfuzzer N_LIMIT=0` runs
# every probe.
TLSFUZZER_DIR := $(BUILD)/tlsfuzzer
TLSFUZZER_VENV := $(BUILD)/tlsfuzzer-venv
TLSFUZZER_STAMP := $(TLSFUZZER_VENV)/.ussl-ready
N_LIMIT ?= 20

$(TLSFUZZER_STAMP):
	@$(MAKE) --no-print-directory apt-deps
	rm -rf $(TLSFUZZER_DIR) && mkdir -p $(TLSFUZZER_DIR)
	tar -xJf $(VENDOR)/tlsfuzzer-14555fe.tar.xz -C $(TLSFUZZER_DIR) --strip-components=1
	rm -rf $(TLSFUZZER_VENV) && /usr/bin/python3 -m venv $(TLSFUZZER_VENV)
	$(TLSFUZZER_VENV)/bin/pip install -q tlslite-ng==0.9.0b2 ecdsa==0.19.2 six==1.17.0
	touch $@

.PHONY: tlsfuzzer
tlsfuzzer: build/micropython $(TLSFUZZER_STAMP)
	@site=$$($(TLSFUZZER_VENV)/bin/python -c 'import site; print(site.getsitepackages()[0])') && \
	  cp tests_tlsfuzzer/ussl_seed.py $$site/ && echo "import ussl_seed" > $$site/ussl_seed.pth
	N_LIMIT=$(N_LIMIT) SHARED=$(SHARED) MICROPYTHON=$(UNIX_BIN) tests_tlsfuzzer/run.sh
