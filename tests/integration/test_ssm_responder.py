#!/usr/bin/env python3
"""The SSM responder itself: it answers boto3 (an independent client) with the
API's shapes, per account, and refuses a wrong signature, an unknown key and a
changed body, so a test that passes through it has had its signature checked."""
import unittest

import boto3
import botocore.exceptions

from ssm_responder import SsmResponder

A, B = "210987654321", "111122223333"
REGION = "eu-west-1"


class ResponderTest(unittest.TestCase):
    def setUp(self):
        self.r = SsmResponder({"AKIDA": ("secret-a", None, A), "ASIAB": ("secret-b", "token-b", B)})
        self.url = self.r.start()
        self.addCleanup(self.r.stop)

    def client(self, key, secret, token=None):
        return boto3.client("ssm", endpoint_url=self.url, region_name=REGION, aws_access_key_id=key,
                            aws_secret_access_key=secret, aws_session_token=token)

    def test_instances_per_account(self):
        self.r.add_instance(A, REGION, "mi-0000000000000000a", "db-a.example.com")
        self.r.add_instance(B, REGION, "mi-0000000000000000b", "db-b.example.com")
        got = self.client("AKIDA", "secret-a").describe_instance_information(
            Filters=[{"Key": "InstanceIds", "Values": ["mi-0000000000000000a", "mi-0000000000000000b"]}])
        self.assertEqual([i["ComputerName"] for i in got["InstanceInformationList"]], ["db-a.example.com"])
        got = self.client("ASIAB", "secret-b", "token-b").describe_instance_information(
            Filters=[{"Key": "InstanceIds", "Values": ["mi-0000000000000000b"]}])
        self.assertEqual(got["InstanceInformationList"][0]["InstanceId"], "mi-0000000000000000b")
        self.assertEqual(self.r.requests, [("DescribeInstanceInformation", A, REGION),
                                           ("DescribeInstanceInformation", B, REGION)])

    def test_sessions_active_then_history(self):
        self.r.add_session(A, REGION, "alice-0123", "i-0123456789abcdef0", "arn:aws:iam::%s:user/alice" % A,
                           1700000000)
        ssm = self.client("AKIDA", "secret-a")
        flt = [{"key": "SessionId", "value": "alice-0123"}]
        active = ssm.describe_sessions(State="Active", Filters=flt)["Sessions"]
        self.assertEqual(active[0]["Status"], "Connected")
        self.assertEqual(ssm.describe_sessions(State="History", Filters=flt)["Sessions"], [])
        self.r.end_session(A, REGION, "alice-0123", 1700000600)
        hist = ssm.describe_sessions(State="History", Filters=flt)["Sessions"]
        self.assertEqual(hist[0]["Status"], "Terminated")
        self.assertEqual((hist[0]["EndDate"] - hist[0]["StartDate"]).total_seconds(), 600)

    def test_refusals(self):
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.client("AKIDA", "wrong").describe_sessions(State="Active")
        self.assertEqual(e.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.client("AKIDX", "secret-a").describe_sessions(State="Active")
        self.assertEqual(e.exception.response["Error"]["Code"], "UnrecognizedClientException")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.client("ASIAB", "secret-b", "other-token").describe_sessions(State="Active")
        self.assertEqual(e.exception.response["Error"]["Code"], "UnrecognizedClientException")
        ssm = self.client("AKIDA", "secret-a")

        def tamper(request, **_):
            request.body = request.body.replace(b"Active", b"History")
        ssm.meta.events.register("before-send.ssm.*", tamper)
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            ssm.describe_sessions(State="Active")
        self.assertEqual(e.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(self.r.requests, [])


if __name__ == "__main__":
    unittest.main()
