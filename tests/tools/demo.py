#!/usr/bin/env python3
"""make demo: relays real SSM session events through a local AWS emulator
(moto_server on 127.0.0.1, SigV4 verified) and prints each notification as an
SNS subscriber receives it. Stops everything it started. With moto, the first
session's target is an EC2 instance made there with a Name tag, so the daemon's
look-up (DescribeInstances, signed and verified too) names it.

Where no moto_server can be found (no PyPI to install it from), the emulator is
fauxqs from npm (--fauxqs, as `make bench-peer` installs it), which checks no
signature; the demo says so."""
import argparse
import copy
import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from awsenv import (ACCOUNT, REGION, Daemon, FauxqsEnv, MotoEnv, eventbridge_envelope,  # noqa: E402
                    moto_server_path, record, wait_until)

SAMPLES = [
    "startsession-iamuser-stratus-1.json",
    "startsession-assumedrole-sso-panther.json",
    "terminatesession-iamuser-stratus-1.json",
    "describeinstanceinformation-iamuser-stratus.json",  # not a session event: filtered out
]



def denied_attempt():
    """No public licensed sample of a denied StartSession exists (see SOURCES.md),
    so the demo derives one from a real record the way CloudTrail writes failures."""
    r = copy.deepcopy(record("startsession-iamuser-stratus-2.json"))
    r["eventID"] = "d3n1ed00-0000-4000-8000-000000000000"
    r["errorCode"] = "AccessDenied"
    r["errorMessage"] = ("User: " + r["userIdentity"]["arn"] + " is not authorized to perform: "
                         "ssm:StartSession on resource: arn:aws:ec2:" + r["awsRegion"] + ":"
                         + r["recipientAccountId"] + ":instance/" + r["requestParameters"]["target"])
    r["responseElements"] = None
    return r


def later_end(start, end):
    """The sample's TerminateSession shares its StartSession's eventTime (both
    were recorded in one test run); 17 min 23 s later, the end shows a
    duration a reader can check against the two times."""
    t = datetime.datetime.strptime(start["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
    r = copy.deepcopy(end)
    r["eventTime"] = (t + datetime.timedelta(minutes=17, seconds=23)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return r


def in_emulator(r):
    """r in the emulator's account and region, as named_target moves its start."""
    r = copy.deepcopy(r)
    r.update(recipientAccountId=ACCOUNT, awsRegion=REGION)
    r["userIdentity"]["accountId"] = ACCOUNT
    return r


def named_target(aws, r):
    """Moves the record into the emulator's account and region and points it
    at a new instance tagged Name=web-prod-1, Environment=production."""
    ec2 = aws.client("ec2")
    ami = ec2.describe_images()["Images"][0]["ImageId"]
    tags = [{"Key": "Name", "Value": "web-prod-1"}, {"Key": "Environment", "Value": "production"}]
    instance = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": tags}])["Instances"][0]["InstanceId"]
    r = in_emulator(r)
    r["requestParameters"]["target"] = instance
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--language", default="ja")
    ap.add_argument("--fauxqs", metavar="PEER_DIR", help="npm prefix holding fauxqs and node 22, the peer "
                    "used where there is no moto_server")
    args = ap.parse_args()

    moto = moto_server_path()
    if not moto and not args.fauxqs:
        ap.error("no moto_server here and no --fauxqs PEER_DIR to fall back to")
    aws = MotoEnv() if moto else FauxqsEnv(args.fauxqs)
    daemon = None
    try:
        aws.start()
        if moto:
            print(f"demo: moto_server on {aws.url} (IAM auth on: every request's SigV4 is verified)")
        else:
            print(f"demo: no moto_server here (it comes from PyPI, which this machine cannot reach); the peer is "
                  f"fauxqs {aws.version} from npm on {aws.url}. fauxqs does NOT check signatures: "
                  f"the daemon signs every request, nothing verifies it")
        aws.create_relay_resources()
        records = [record(n) for n in SAMPLES] + [denied_attempt()]
        records[2] = later_end(records[0], records[2])
        if moto:
            records[0] = named_target(aws, records[0])
            records[2] = in_emulator(records[2])
            print(f"demo: {records[0]['requestParameters']['target']} is an EC2 instance in moto named web-prod-1")
        for r in records:
            aws.send(eventbridge_envelope(r, event_id=r.get("eventID", "demo")))
        print(f"demo: sent {len(records)} CloudTrail events to {aws.queue_url}")
        # fauxqs has no EC2: there, no look-ups
        config = aws.write_config(extra={
            "enrich": {} if moto else {"instance_names": "off"},
            "notify": {"language": args.language}, "log": {"level": "info"}})
        daemon = Daemon(os.path.abspath(args.binary), config, aws.workdir).start()
        wait_until(lambda: aws.queue_depth() == 0, timeout=60, what="the queue to drain")
        notes = aws.drain_sink(expected=len(records) - 1, timeout=30)
        code = daemon.stop()
        daemon = None
        print(f"demo: ssm-notifyd relayed the queue and exited with {code} on SIGTERM; "
              f"{len(notes)} notifications reached the subscriber:\n")
        for n in notes:
            attrs = {k: v["Value"] for k, v in n.get("MessageAttributes", {}).items()}
            print("=" * 78)
            print(f"Subject: {n.get('Subject')}")
            print(f"Attributes: {json.dumps(attrs, ensure_ascii=False, sort_keys=True)}")
            print("-" * 78)
            print(n["Message"])
        print("=" * 78)
        return 0 if code == 0 and len(notes) == len(records) - 1 else 1
    finally:
        if daemon:
            daemon.proc.kill()
        aws.stop()


if __name__ == "__main__":
    sys.exit(main())
