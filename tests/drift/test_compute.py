"""compute(): unknown scopes, hand-edited baselines and ignore rules."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.drift import IgnoreRule, IgnoreRules, compute, load_ignore
from driftwatch.errors import InputError
from tests.drift.estate import ACCOUNT, OPEN_SSH, REGION, group, synthetic


def test_an_unreadable_type_is_unknown_never_removed() -> None:
    baseline = synthetic(group("sg-1"))
    current = synthetic(status={registry.SECURITY_GROUP: "denied"})

    result = compute(baseline, current)

    assert result.changes == ()
    [unknown] = result.unknown
    assert (unknown.region, unknown.resource_type) == (REGION, registry.SECURITY_GROUP)
    assert unknown.reason == "current snapshot could not read it (denied: AccessDenied)"
    assert result.exit_code == 3


def test_a_region_the_baseline_never_read_is_unknown_not_added() -> None:
    baseline = synthetic()
    other = snap.Resource(ACCOUNT, "eu-west-1", registry.SECURITY_GROUP, "sg-9", {})
    current = dataclasses.replace(
        synthetic(),
        resources=(other,),
        coverage=(
            snap.Coverage(ACCOUNT, "eu-west-1", registry.SECURITY_GROUP, "ok"),
            *synthetic().coverage,
        ),
    )

    result = compute(baseline, current)

    assert result.changes == ()
    assert [(u.region, u.reason) for u in result.unknown] == [
        ("eu-west-1", "baseline has no coverage of it")
    ]


def test_a_hand_edited_baseline_with_merged_sources_compares_like_a_fresh_read() -> (
    None
):
    fresh = synthetic(group("sg-1", OPEN_SSH))
    split = [
        {**OPEN_SSH, "IpRanges": [{"CidrIp": "10.0.0.0/8"}], "IpProtocol": "6"},
        {**OPEN_SSH, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ]
    edited = synthetic(group("sg-1", *split))

    assert compute(edited, fresh).changes == ()


def test_an_ignore_rule_hides_matching_changes_and_says_so() -> None:
    baseline = synthetic(group("sg-1"))
    current = synthetic(group("sg-1", OPEN_SSH))
    rule = IgnoreRule(
        reason="bastion, ticket approved",
        resource_id="sg-*",
        part='IpPermissions["tcp",22,22,"IpRanges","10.*',
    )

    result = compute(baseline, current, ignore=IgnoreRules((rule,)))

    assert [c.summary for c in result.changes] == [
        "tcp/22 opened to 0.0.0.0/0 on sg-1 (app)"
    ]
    [ignored] = result.ignored
    assert ignored.change.summary == "tcp/22 opened to 10.0.0.0/8 on sg-1 (app)"
    assert ignored.rule is rule


def test_an_expired_rule_no_longer_applies_and_is_listed() -> None:
    baseline = synthetic(group("sg-1"))
    current = synthetic(group("sg-1", OPEN_SSH))
    rule = IgnoreRule(
        reason="temporary", resource_type="AWS::EC2::*", expires=date(2026, 1, 31)
    )

    on_the_day = compute(
        baseline, current, ignore=IgnoreRules((rule,)), today=date(2026, 1, 31)
    )
    after = compute(
        baseline, current, ignore=IgnoreRules((rule,)), today=date(2026, 2, 1)
    )

    assert (len(on_the_day.changes), len(on_the_day.ignored)) == (0, 2)
    assert on_the_day.expired_rules == ()
    assert (len(after.changes), len(after.ignored)) == (2, 0)
    assert after.expired_rules == (rule,)


def test_an_ignore_file_is_read_with_its_dates(tmp_path: Path) -> None:
    path = tmp_path / "ignore.json"
    path.write_text(
        json.dumps(
            {
                "rules": [
                    {"resource_id": "sg-1", "reason": "lab", "expires": "2027-03-01"}
                ]
            }
        )
    )

    [rule] = load_ignore(path).rules

    assert (rule.resource_id, rule.region, rule.part, rule.expires) == (
        "sg-1",
        "*",
        None,
        date(2027, 3, 1),
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{", "the ignore file is not valid JSON (line 1, column 3"),
        ('{"rule": []}', "an ignore file must be a JSON list of rules"),
        ('[{"resource_id": "sg-1"}]', 'ignore rule 1 needs a non-empty "reason".'),
        ('[{"reason": "x", "expires": "soon"}]', "expires 'soon' is not a date"),
        (
            '[{"reason": "x", "resource": "sg-1"}]',
            "ignore rule 1 has unknown field resource",
        ),
        (
            '[{"reason": "x", "region": 5}]',
            "'region' must be a non-empty string pattern",
        ),
        ('["sg-1"]', "ignore rule 1 is not a JSON object."),
    ],
)
def test_a_bad_ignore_file_is_one_sentence(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "ignore.json"
    path.write_text(content)

    with pytest.raises(InputError) as raised:
        load_ignore(path)

    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
