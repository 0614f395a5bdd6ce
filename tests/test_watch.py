"""``watch-rule``: the EventBridge pattern, its outputs, and its coverage."""

from __future__ import annotations

import json
import shlex

import botocore
import botocore.session
import pytest
from moto.events.models import EventPattern

from driftwatch import registry, watch
from driftwatch.attribution.events import EVENT_KINDS, EVENT_NAMES
from tests.attribution.trail import fixture_records
from tests.conftest import Cli

EC2 = botocore.session.get_session().get_service_model("ec2")
READ_PREFIXES = ("Describe", "Get", "List", "Search")


def as_eventbridge(record: dict) -> dict:
    """A CloudTrail record as EventBridge delivers it to a rule."""
    return {
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": "123456789012",
        "time": record["eventTime"],
        "region": record["awsRegion"],
        "resources": [],
        "detail": record,
    }


def test_the_printed_pattern_names_every_mutating_call_of_the_table(cli: Cli) -> None:
    result = cli("watch-rule")

    assert result.exit_code == 0
    pattern = json.loads(result.stdout)
    assert pattern == {
        "source": ["aws.ec2"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["ec2.amazonaws.com"],
            "eventName": sorted(EVENT_NAMES),
        },
    }
    assert len(pattern["detail"]["eventName"]) == len(EVENT_KINDS) == 74
    assert watch.pattern_size(pattern) <= watch.PATTERN_LIMIT


def test_every_watched_name_is_a_real_mutating_ec2_operation() -> None:
    operations = set(EC2.operation_names)

    assert set(EVENT_NAMES) <= operations
    assert not [name for name in EVENT_NAMES if name.startswith(READ_PREFIXES)]


def test_every_tracked_type_has_calls_that_change_it() -> None:
    covered = {t for kind in EVENT_KINDS.values() for t in kind.resource_types}

    assert set(registry.TRACKED_TYPES) <= covered


def test_the_pattern_matches_every_fixture_call_and_no_read() -> None:
    pattern = EventPattern.load(json.dumps(watch.event_pattern(EVENT_NAMES)))
    read = as_eventbridge(
        {**fixture_records()[0], "eventName": "DescribeSecurityGroups"}
    )
    other_service = as_eventbridge(
        {**fixture_records()[0], "eventSource": "s3.amazonaws.com"}
    )

    assert all(pattern.matches_event(as_eventbridge(r)) for r in fixture_records())
    assert not pattern.matches_event(read)
    assert not pattern.matches_event(other_service)


def test_only_successful_leaves_refused_calls_out() -> None:
    pattern = watch.event_pattern(EVENT_NAMES, only_successful=True)
    matcher = EventPattern.load(json.dumps(pattern))
    records = fixture_records()
    refused = [r for r in records if r.get("errorCode")]

    assert pattern["detail"]["errorCode"] == [{"exists": False}]
    assert len(refused) == 1
    assert not matcher.matches_event(as_eventbridge(refused[0]))
    assert all(
        matcher.matches_event(as_eventbridge(r)) for r in records if r not in refused
    )


def test_exclude_drops_a_call_and_refuses_an_unknown_one(cli: Cli) -> None:
    kept = cli(
        "watch-rule", "--exclude", "RunInstances", "--exclude", "TerminateInstances"
    )
    bad = cli("watch-rule", "--exclude", "RunInstance")

    names = json.loads(kept.stdout)["detail"]["eventName"]
    assert "RunInstances" not in names and "TerminateInstances" not in names
    assert len(names) == len(EVENT_NAMES) - 2
    assert bad.exit_code == 2
    assert bad.stderr.startswith(
        "driftwatch: --exclude RunInstance is not a watched EC2 call"
    )


def test_patterns_split_to_stay_under_the_size_limit() -> None:
    patterns = watch.event_patterns(EVENT_NAMES, limit=600)

    assert len(patterns) > 3
    assert all(watch.pattern_size(p) <= 600 for p in patterns)
    names = [name for p in patterns for name in p["detail"]["eventName"]]
    assert sorted(names) == sorted(EVENT_NAMES)


def test_the_cloudformation_template_wires_rule_topic_and_policy(cli: Cli) -> None:
    result = cli("watch-rule", "--format", "cloudformation", "--only-successful")

    template = json.loads(result.stdout)
    resources = template["Resources"]
    rule = resources["NetworkChangeRule1"]["Properties"]
    assert {r["Type"] for r in resources.values()} == {
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy",
        "AWS::Events::Rule",
    }
    assert rule["EventPattern"] == watch.event_pattern(
        EVENT_NAMES, only_successful=True
    )
    assert rule["Targets"] == [{"Arn": {"Ref": "AlertTopic"}, "Id": "alert-topic"}]
    statement = resources["AlertTopicPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ][0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"


def test_the_cli_script_passes_the_pattern_intact(cli: Cli) -> None:
    result = cli("watch-rule", "--format", "cli", "--rule-name", "net-alerts")

    words = shlex.split(result.stdout, comments=True)
    pattern = json.loads(words[words.index("--event-pattern") + 1])
    assert pattern == watch.event_pattern(EVENT_NAMES)
    assert words[words.index("--name") + 1] == "net-alerts"
    assert "put-targets" in words


def test_every_operation_the_revert_planner_can_emit_is_watched() -> None:
    operations = pytest.importorskip(
        "driftwatch.revert.operations",
        reason="the revert planner (driftwatch/revert/operations.py) is not on this "
        "branch yet; this test runs once it lands",
    )
    by_method = {botocore.xform_name(api): api for api in EC2.operation_names}

    emitted = {by_method[name] for name in operations.OPERATIONS}
    watched = set(watch.event_pattern(EVENT_NAMES)["detail"]["eventName"])

    assert emitted - watched == set()
