"""The fixed parts of the boto3 script that ``revert --plan --format python`` writes.

``SCRIPT_HEAD`` is a ``string.Template`` (``$version``, ``$baseline``,
``$current``, ``$accounts``); the renderer writes the ``steps`` and
``recreations`` functions between the head and ``SCRIPT_TAIL``.
"""

from __future__ import annotations

SCRIPT_HEAD = '''\
#!/usr/bin/env python3
"""A driftwatch revert plan as a boto3 script (driftwatch $version).

Baseline $baseline, current $current. Makes the plan's calls in order,
printing each one before it makes it, and stops at the first error. Unlike
`driftwatch revert --apply`, it does not re-check preconditions, make DryRun
checks or write an undo log. With --recreate it also makes the re-creation
calls of the plan's manual items.
"""

import argparse
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError

ACCOUNTS = $accounts
PLACEHOLDER = "$${new:"


class Run:
    """Makes calls: one client per region, placeholders filled as ids are bound."""

    def __init__(self, session, endpoint_url):
        self.session = session
        self.endpoint_url = endpoint_url
        self.clients = {}
        self.bound = {}
        self.count = 0

    def client(self, service, region):
        key = (service, region)
        if key not in self.clients:
            self.clients[key] = self.session.client(
                service, region_name=region, endpoint_url=self.endpoint_url
            )
        return self.clients[key]

    def __call__(self, region, operation, params, lookup=None, binds=None):
        client = self.client("ec2", region)
        params = fill(params, self.bound)
        if lookup is not None:
            found = find(client, lookup["kind"], lookup["key"])
            if found is None:
                raise SystemExit(f"no {lookup['kind']} for {lookup['key']}: re-plan")
            params[lookup["param"]] = found
        self.count += 1
        shown = ", ".join(f"{key}={value!r}" for key, value in params.items())
        print(f"[{self.count}] {region} ec2.{operation}({shown})", flush=True)
        response = getattr(client, operation)(**params)
        problem = refusal(response)
        if problem:
            raise SystemExit(f"ec2.{operation} did not do it all: {problem}")
        for name, path in (binds or {}).items():
            value = response
            for step in path.split("."):
                value = value[step]
            self.bound[name] = value
            print(f"    {name} is {value}", flush=True)


def fill(value, bound):
    """The value with every bound placeholder replaced by its new id."""
    if isinstance(value, str):
        if value.startswith(PLACEHOLDER) and value not in bound:
            raise SystemExit(f"{value} is used before the call that creates it")
        return bound.get(value, value)
    if isinstance(value, dict):
        return {key: fill(item, bound) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, bound) for item in value]
    return value


def refusal(response):
    """Why a response says the call did not do everything, or None."""
    if response.get("Return") is False:
        return "Return is false"
    return response.get("UnknownIpPermissions") or response.get("Unsuccessful") or None


def find(client, kind, key):
    """An association id as it is now (ids change when associations move)."""
    if kind == "address_association":
        addresses = client.describe_addresses(AllocationIds=[key["allocation_id"]])
        ids = [a.get("AssociationId") for a in addresses["Addresses"]]
    elif kind == "vpc_cidr_association":
        vpc = client.describe_vpcs(VpcIds=[key["vpc_id"]])["Vpcs"][0]
        blocks = vpc.get("CidrBlockAssociationSet", [])
        wanted = key["cidr_block"]
        ids = [b["AssociationId"] for b in blocks if b["CidrBlock"] == wanted]
    elif kind == "network_acl_association":
        acls = client.describe_network_acls(NetworkAclIds=[key["network_acl_id"]])
        links = acls["NetworkAcls"][0].get("Associations", [])
        subnet = key["subnet_id"]
        ids = [a["NetworkAclAssociationId"] for a in links if a["SubnetId"] == subnet]
    else:
        tables = client.describe_route_tables(RouteTableIds=[key["route_table_id"]])
        links = tables["RouteTables"][0].get("Associations", [])
        ids = [a["RouteTableAssociationId"] for a in links if same_place(a, key)]
    return next((found for found in ids if found), None)


def same_place(association, key):
    """True when a route table association is the one the key names."""
    if "main" in key:
        return bool(association.get("Main"))
    if "subnet_id" in key:
        return association.get("SubnetId") == key["subnet_id"]
    return association.get("GatewayId") == key.get("gateway_id")


'''

SCRIPT_TAIL = """

def main():
    parser = argparse.ArgumentParser(description="Apply a driftwatch revert plan.")
    parser.add_argument("--profile", help="AWS profile to use")
    parser.add_argument("--endpoint-url", help="EC2/STS endpoint (for emulators)")
    parser.add_argument(
        "--recreate", action="store_true", help="also make the re-creation calls"
    )
    args = parser.parse_args()
    run = Run(boto3.session.Session(profile_name=args.profile), args.endpoint_url)
    try:
        account = run.client("sts", "us-east-1").get_caller_identity()["Account"]
        if ACCOUNTS and ACCOUNTS != [account]:
            print(f"these credentials are for {account}, the plan for {ACCOUNTS}")
            return 2
        steps(run)
        if args.recreate:
            recreations(run)
    except (BotoCoreError, ClientError) as exc:
        print(f"stopped after {run.count} calls: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a script for people: say what stopped it
        print(f"stopped after {run.count} calls: {exc!r}", file=sys.stderr)
        return 1
    print(f"done: {run.count} calls made")
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""
