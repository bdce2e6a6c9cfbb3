"""Soak: 10,000 session events through one daemon process, filling the
session store and the name cache (bench.soak_stream); its resident memory must
stay flat once both are full (nothing leaks per message).

The peer is fauxqs (the benchmarks' emulator; moto's ~10 publishes/s would
take half an hour for this), installed by `make bench-peer` into
build/bench-peer. The figures are printed for CI's log.
"""
import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
import bench  # noqa: E402
import awsenv  # noqa: E402
from awsenv import fauxqs_node  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]
PEER = os.environ["SSMN_BENCH_PEER"]
MESSAGES = 10000
# Growth allowed once both caches are full (the dedupe ring is full by then
# too): sessions still come and go, evicting the oldest, and the heap they
# leave behind varies by a few hundred KiB; a leak of a few dozen bytes per
# message over the last rounds' thousands would exceed it.
GROWTH_MAX_KIB = 1024


class SoakTest(unittest.TestCase):
    def test_memory_is_flat(self):
        node = fauxqs_node(PEER)
        self.assertTrue(os.access(node, os.X_OK), f"no fauxqs peer in {PEER}: run `make bench-peer`")
        workdir = awsenv.make_workdir("ssmn-soak-")
        aws = bench.Fauxqs(node, PEER, workdir)
        aws.start()
        try:
            res = bench.run_soak(argparse.Namespace(binary=BINARY), aws, bench.load_records(), MESSAGES, workdir)
        finally:
            aws.stop()
        rss = res["rss_kib"]
        full = bench.soak_full_round(res)
        print(f"\n[soak] {res['messages']} events; VmRSS after each round (KiB): {rss}; "
              f"peak {res['vmhwm_kib']} KiB; sessions open {res['opened']}; evicted {res['evicted']}; "
              f"DescribeInstances {res['described']}; "
              f"both caches full from round {full + 1}", flush=True)
        self.assertEqual(res["exit"], 0)
        self.assertEqual(res["messages"], MESSAGES)
        # the caches did fill, with rounds left to watch
        self.assertEqual(res["open_sessions"], bench.SOAK_FULL, res["opened"])
        self.assertGreater(res["evicted"][-1], 0, res)
        self.assertEqual(res["targets"], bench.SOAK_FULL)
        self.assertLess(full, res["rounds"] - 1, res)
        self.assertLessEqual(max(rss[full + 1:]) - rss[full], GROWTH_MAX_KIB, rss)


if __name__ == "__main__":
    awsenv.main()
