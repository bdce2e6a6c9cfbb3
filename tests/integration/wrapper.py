"""SSMN_WRAPPER: a command line the integration tests put in front of every
ssm-notifyd they start, e.g. valgrind (see memcheck.py). Unset or empty: the
binary runs as it is."""
import os
import shlex


def command(binary, *args):
    return [*shlex.split(os.environ.get("SSMN_WRAPPER", "")), binary, *args]
