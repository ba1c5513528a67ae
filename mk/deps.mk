# What the build and the tests need from the machine, installed only when missing: Debian
# packages through apt, Python packages into a virtual environment under build/ (so a stock
# Debian python3, which refuses `pip install` under PEP 668, works as well as any other).
APT_PACKAGES := clang libclang-dev libffi-dev pkgconf dpkg-dev xz-utils openssl gnutls-bin mosquitto \
	nginx-light python3-venv faketime tshark
VENV := $(BUILD)/venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed

# Under a lock, so that builds running side by side install one at a time, each checking again
# what is missing once it has the lock. The lock is the machine's, not the tree's: two fresh
# clones tested side by side on a new machine both install, and apt refuses a second apt-get
# at once (seen: "Could not get lock /var/lib/apt/lists/lock"); apt-get also waits for a lock
# that something else holds (DPkg::Lock::Timeout) instead of failing.
APT_LOCK ?= /tmp/ussl-apt.lock
APT_GET := apt-get -o DPkg::Lock::Timeout=600
define apt_install
	@flock $(APT_LOCK) sh -c 'missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing >/dev/null; fi'
endef

apt-deps:
	$(call apt_install,$(APT_PACKAGES))

$(VENV_STAMP): tests_py/requirements.txt
	@$(MAKE) --no-print-directory apt-deps
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tests_py/requirements.txt
	touch $@

venv: $(VENV_STAMP)
pip-deps: venv
deps: apt-deps venv

# rustup targets the firmware builds need; added when missing.
define rust_target
	@rustup target list --installed | grep -qx $(1) || rustup target add $(1)
endef

# nightly's standard library sources, for targets built with build-std.
define nightly_src
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src' || \
	  rustup component add rust-src --toolchain nightly
endef
