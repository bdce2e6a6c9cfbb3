#!/usr/bin/env python3
"""The "original approach" ssm-notifyd replaces, kept as the benchmark's baseline.

A boto3 loop: receive up to 10 messages with a long poll; for each one, scan
the lines of the pretty-printed JSON body for a few CloudTrail keys, rename
them to Japanese labels, shift eventTime from UTC by a naive nine hours, then
publish it to SNS and delete it, one request each.

    baseline_seed.py --endpoint URL --region R --queue-url URL --topic-arn ARN --count N

Stops after N messages, or at the first empty receive, and prints
{"done": N, "vmhwm_kib": PEAK_RSS, "anon_kib": ..., "pss_kib": ...}. Credentials come from the environment
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
"""
import argparse
import datetime
import json
import sys

import boto3

# Key as it appears in the JSON -> label in the notification, in output order.
LABELS = {
    "eventTime": "日時",
    "eventName": "操作",
    "userName": "ユーザー",
    "sourceIPAddress": "接続元IP",
    "target": "対象",
    "awsRegion": "リージョン",
    "eventSource": "サービス",
}


def format_body(body):
    """The line scanner: keeps the first occurrence of each key, whatever its depth."""
    found = {}
    for line in body.splitlines():
        s = line.strip()
        for key in LABELS:
            prefix = '"' + key + '":'
            if key not in found and s.startswith(prefix):
                found[key] = s[len(prefix):].strip().rstrip(",").strip('"')
    if "eventTime" in found:
        try:
            t = datetime.datetime.strptime(found["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
            found["eventTime"] = (t + datetime.timedelta(hours=9)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            pass  # not the RFC 3339 form: shown as recorded
    subject = "[SSM] " + found.get("eventName", "event")
    return subject, "\n".join(f"{LABELS[k]}: {found[k]}" for k in LABELS if k in found)


def memory():
    """Peak RSS, and the anonymous and proportional parts of the RSS now, in KiB."""
    out = {}
    for path, keys in (("/proc/self/status", {"VmHWM": "vmhwm_kib", "RssAnon": "anon_kib"}),
                       ("/proc/self/smaps_rollup", {"Pss": "pss_kib"})):
        with open(path) as f:
            for line in f:
                name = line.split(":", 1)[0]
                if name in keys:
                    out[keys[name]] = int(line.split()[1])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--region", required=True)
    ap.add_argument("--queue-url", required=True)
    ap.add_argument("--topic-arn", required=True)
    ap.add_argument("--count", type=int, required=True)
    args = ap.parse_args()

    sqs = boto3.client("sqs", endpoint_url=args.endpoint, region_name=args.region)
    sns = boto3.client("sns", endpoint_url=args.endpoint, region_name=args.region)
    done = 0
    # Bounded: every round handles at least one message or ends the loop.
    for _ in range(args.count):
        if done >= args.count:
            break
        msgs = sqs.receive_message(QueueUrl=args.queue_url, MaxNumberOfMessages=10,
                                   WaitTimeSeconds=1).get("Messages", [])
        if not msgs:
            break
        for m in msgs:
            subject, text = format_body(m["Body"])
            sns.publish(TopicArn=args.topic_arn, Subject=subject, Message=text)
            sqs.delete_message(QueueUrl=args.queue_url, ReceiptHandle=m["ReceiptHandle"])
            done += 1
    # Its memory, for the benchmark: a parent's ru_maxrss of a child is unreliable
    # (Linux keeps the forking parent's peak across execve).
    print(json.dumps({"done": done, **memory()}))
    return 0 if done == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
