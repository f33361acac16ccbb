"""Runs the stand-in's self-test (selftest_cli.py, selftest_http.py) against the PostgreSQL that
selftest.sh starts; on failure, prints the end of the stand-in's own logs, since selftest.sh
removes them."""
import os
import sys
import unittest

import selftest_cli
import selftest_http
from selftest_support import TMP, stop_all

if __name__ == "__main__":
    os.makedirs(os.path.join(TMP, "logs"), exist_ok=True)
    loader = unittest.defaultTestLoader
    names = [a for a in sys.argv[1:]]
    suite = unittest.TestSuite([loader.loadTestsFromModule(selftest_cli), loader.loadTestsFromModule(selftest_http)])
    if "-k" in names:
        pattern = names[names.index("-k") + 1]
        loader.testNamePatterns = [f"*{pattern}*"]
        suite = unittest.TestSuite([loader.loadTestsFromModule(selftest_cli),
                                    loader.loadTestsFromModule(selftest_http)])
    try:
        outcome = unittest.TextTestRunner(verbosity=2).run(suite)
    finally:
        stop_all()
    if not outcome.wasSuccessful():
        for name in sorted(os.listdir(os.path.join(TMP, "logs"))):
            with open(os.path.join(TMP, "logs", name), errors="replace") as f:
                print(f"----- {name} (last lines)\n" + "".join(f.readlines()[-25:]))
    sys.exit(0 if outcome.wasSuccessful() else 1)
