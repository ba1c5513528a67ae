"""What a test does when something it needs is missing, and the listing of deselected tests.

`make test` installs every tool and builds every image the suites use, so under CI (the
environment variable CI set, as .ci/run sets it) a missing tool or image fails the test that
needs it: a skip there would mean that an install broke, and would hide the tests behind it.
By hand (CI unset) the same test is skipped, with what to install.
Skips for what a build profile leaves out (the lean and client engines) are not "missing" and
stay skips everywhere. Both conftests (tests_py, tests_fw) take the hooks below."""
import os
import shutil

import pytest

UNDER_CI = bool(os.environ.get("CI"))


def missing(what, how):
    """Fails the test under CI, skips it otherwise."""
    if UNDER_CI:
        pytest.fail(f"{what} is missing under CI ({how}): make test installs it, so the install broke")
    pytest.skip(f"{what} is missing ({how})")


def need_tool(*names, how="make test installs it"):
    for name in names:
        if shutil.which(name) is None:
            missing(f"the tool {name}", how)


def need_file(path, how):
    if not os.path.exists(path):
        missing(path, how)


_deselected = []


def pytest_deselected(items):
    _deselected.extend(items)


def pytest_terminal_summary(terminalreporter):
    """Every deselected test by name (pytest itself prints only how many)."""
    for item in _deselected:
        terminalreporter.write_line(f"DESELECTED {item.nodeid}")
