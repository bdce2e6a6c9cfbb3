#!/usr/bin/env python3
"""Runs one integration test script with every ssm-notifyd under valgrind
memcheck, then reads valgrind's report of each process.

    memcheck.py LOGDIR SCRIPT

The daemon's exit code becomes 99 when valgrind finds an error or a leak
(definite, indirect or possible), which the tests' exit-code assertions
catch; not every run's exit code is asserted, so this also fails unless
every process's report says "ERROR SUMMARY: 0 errors". Reports go to
LOGDIR (one file per process, kept for reading), not to stderr, which the
tests compare.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

VALGRIND = [
    "valgrind", "--tool=memcheck", "--leak-check=full",
    "--errors-for-leak-kinds=definite,indirect,possible", "--error-exitcode=99",
    "--track-fds=no", "--num-callers=30",
]


def main():
    logdir, script = sys.argv[1], sys.argv[2]
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    wrapper = VALGRIND + ["--log-file=" + os.path.join(logdir, "vg.%p.log")]
    env = dict(os.environ, SSMN_WRAPPER=shlex.join(wrapper))
    status = subprocess.run([sys.executable, script], env=env).returncode

    logs = sorted(glob.glob(os.path.join(logdir, "vg.*.log")))
    bad = []
    totals = {"definitely": 0, "indirectly": 0, "possibly": 0}
    for path in logs:
        with open(path) as f:
            text = f.read()
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        if not summary or summary.group(1) != "0":
            bad.append(path)
        for kind in totals:
            m = re.search(kind + r" lost: ([\d,]+) bytes", text)
            totals[kind] += int(m.group(1).replace(",", "")) if m else 0
    for path in bad:
        with open(path) as f:
            sys.stdout.write(f"==== {path}\n{f.read()}")
    print(f"memcheck: {len(logs)} ssm-notifyd processes, {len(bad)} with errors or leaks; "
          f"lost bytes: {totals['definitely']} definitely, {totals['indirectly']} indirectly, "
          f"{totals['possibly']} possibly")
    if not logs:
        print("memcheck: no valgrind report: was SSMN_WRAPPER used?")
        return 1
    return 1 if status or bad else 0


if __name__ == "__main__":
    sys.exit(main())
