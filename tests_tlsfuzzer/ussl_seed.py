"""Imported at start-up by every tlsfuzzer run (a .pth file in build/tlsfuzzer-venv): makes the
scripts' random choices repeatable, so that `-n 20` samples the same probes with the same
payloads in every run and against every server compared. Two sources need it: `random` (the
sampling, payload bytes) and `random.SystemRandom`, which tlsfuzzer's fuzzers.py uses for the
lengths of random payloads (otherwise the payloads consume `random` by varying amounts and the
sample that follows differs from run to run). Test client only: tlslite-ng's keys and nonces
come from os.urandom, which this leaves alone."""
import random

SEED = 12


class SeededSystemRandom(random.Random):
    def __init__(self, _seed=None):
        super().__init__(SEED)


random.seed(SEED)
random.SystemRandom = SeededSystemRandom
