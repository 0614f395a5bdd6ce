"""EventBridge rules that see every mutating EC2 call on the tracked types.

Snapshots are periodic; these rules alert in real time between them. The event
names come from the attribution table (``driftwatch.attribution.events``), so
what ``watch-rule`` catches and what ``diff --attribute`` can explain is one
list. CloudTrail delivers "AWS API Call via CloudTrail" events to EventBridge
in the region of the call: a rule watches one region, so create it in each.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from driftwatch.attribution.events import EVENT_KINDS, EVENT_NAMES
from driftwatch.errors import UsageError

SOURCE = "aws.ec2"
DETAIL_TYPE = "AWS API Call via CloudTrail"
EVENT_SOURCE = "ec2.amazonaws.com"
# EventBridge's default quota for one rule's pattern, in characters.
PATTERN_LIMIT = 2048
DEFAULT_RULE_NAME = "driftwatch-network-changes"


def watched_event_names(exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """The event names to watch: the whole table, less those excluded."""
    excluded = set(exclude)
    unknown = sorted(excluded - set(EVENT_KINDS))
    if unknown:
        raise UsageError(
            f"--exclude {', '.join(unknown)} is not a watched EC2 call; "
            f"watched calls are: {', '.join(sorted(EVENT_NAMES))}."
        )
    return tuple(sorted(set(EVENT_NAMES) - excluded))


def event_pattern(
    event_names: Sequence[str], *, only_successful: bool = False
) -> dict[str, Any]:
    """The EventBridge pattern that matches CloudTrail events of ``event_names``."""
    detail: dict[str, Any] = {
        "eventSource": [EVENT_SOURCE],
        "eventName": sorted(event_names),
    }
    if only_successful:
        # A refused call changed nothing; without this, attempts alert too.
        detail["errorCode"] = [{"exists": False}]
    return {"source": [SOURCE], "detail-type": [DETAIL_TYPE], "detail": detail}


def event_patterns(
    event_names: Sequence[str],
    *,
    only_successful: bool = False,
    limit: int = PATTERN_LIMIT,
) -> list[dict[str, Any]]:
    """As few patterns as cover ``event_names`` with each under ``limit`` characters."""
    patterns: list[dict[str, Any]] = []
    batch: list[str] = []
    for name in sorted(event_names):
        trial = event_pattern([*batch, name], only_successful=only_successful)
        if batch and pattern_size(trial) > limit:
            patterns.append(event_pattern(batch, only_successful=only_successful))
            batch = []
        batch.append(name)
    if batch:
        patterns.append(event_pattern(batch, only_successful=only_successful))
    return patterns


def pattern_size(pattern: dict[str, Any]) -> int:
    """Characters of the pattern as EventBridge stores it (compact JSON)."""
    return len(compact(pattern))


def compact(pattern: dict[str, Any]) -> str:
    """The pattern as compact JSON."""
    return json.dumps(pattern, separators=(",", ":"))


def rule_names(base: str, count: int) -> list[str]:
    """``base`` for one rule, ``base-1``... for several."""
    if count == 1:
        return [base]
    return [f"{base}-{index}" for index in range(1, count + 1)]


def cloudformation_template(
    patterns: Sequence[dict[str, Any]], rule_name: str = DEFAULT_RULE_NAME
) -> dict[str, Any]:
    """A CloudFormation template: an SNS topic, its policy, and the rules."""
    resources: dict[str, Any] = {
        "AlertTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": rule_name},
        },
        "AlertSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": "AlertTopic"},
                "Protocol": "email",
                "Endpoint": {"Ref": "AlertEmail"},
            },
        },
        "AlertTopicPolicy": _topic_policy(),
    }
    for index, name in enumerate(rule_names(rule_name, len(patterns))):
        resources[f"NetworkChangeRule{index + 1}"] = {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": name,
                "Description": "driftwatch: a mutating EC2 network call was made",
                "State": "ENABLED",
                "EventPattern": patterns[index],
                "Targets": [{"Arn": {"Ref": "AlertTopic"}, "Id": "alert-topic"}],
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "driftwatch real-time alerts on EC2 network changes "
        "(deploy in every watched region)",
        "Parameters": {
            "AlertEmail": {
                "Type": "String",
                "Description": "Where the alerts go (confirm the subscription mail)",
            }
        },
        "Resources": resources,
    }


def _topic_policy() -> dict[str, Any]:
    statement = {
        "Sid": "EventBridgePublishes",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": {"Ref": "AlertTopic"},
    }
    return {
        "Type": "AWS::SNS::TopicPolicy",
        "Properties": {
            "Topics": [{"Ref": "AlertTopic"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        },
    }


def cli_script(
    patterns: Sequence[dict[str, Any]], rule_name: str = DEFAULT_RULE_NAME
) -> str:
    """AWS CLI commands that create the rules in each region of ``$REGIONS``."""
    lines = [
        "#!/bin/sh",
        "# driftwatch real-time alerts: one EventBridge rule set per region.",
        "# Set REGIONS and ACCOUNT (TOPIC defaults to the rule name); the SNS topic",
        "# must exist in each region and allow events.amazonaws.com to publish.",
        'REGIONS="${REGIONS:?set REGIONS, e.g. us-east-1 eu-west-1}"',
        f'TOPIC="${{TOPIC:-{rule_name}}}"',
        "set -eu",
        "for region in $REGIONS; do",
    ]
    names = rule_names(rule_name, len(patterns))
    for name, pattern in zip(names, patterns, strict=True):
        quoted = shlex.quote(name)
        lines += [
            f'  aws events put-rule --region "$region" --name {quoted} \\',
            f"    --event-pattern {shlex.quote(compact(pattern))}",
            f'  aws events put-targets --region "$region" --rule {quoted} \\',
            '    --targets "Id=alert-topic,Arn=arn:aws:sns:$region:'
            '${ACCOUNT:?set ACCOUNT}:$TOPIC"',
        ]
    lines.append("done")
    return "\n".join(lines) + "\n"
