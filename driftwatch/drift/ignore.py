"""Ignore rules: approved exceptions to drift, each with a reason and an expiry.

An ignore file is JSON: either a list of rules or ``{"rules": [...]}``. A rule
matches a change when every pattern it gives matches (``fnmatch``, case
sensitive)::

    {"account_id": "1234*", "region": "eu-*",
     "resource_type": "AWS::EC2::SecurityGroup", "resource_id": "sg-0abc",
     "part": "Tags*", "reason": "tags are managed by the cost team",
     "expires": "2027-01-31"}

Omitted patterns match anything. ``part`` matches the change's part (see
``driftwatch.changes``), where ``[`` and ``]`` stand for themselves so that
``IpPermissions["tcp",22,*`` reads as written; without ``part`` the rule also
covers whole-resource changes. ``expires`` is the last day the rule applies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from driftwatch.changes import Change
from driftwatch.errors import InputError

PATTERN_FIELDS = ("account_id", "region", "resource_type", "resource_id", "part")
ALLOWED_FIELDS = frozenset({*PATTERN_FIELDS, "reason", "expires"})


@dataclass(frozen=True)
class IgnoreRule:
    """One approved exception: patterns, why, and until when."""

    reason: str
    account_id: str = "*"
    region: str = "*"
    resource_type: str = "*"
    resource_id: str = "*"
    part: str | None = None
    expires: date | None = None

    def matches(self, change: Change) -> bool:
        """True when every pattern of the rule matches the change."""
        fields = (
            (self.account_id, change.account_id),
            (self.region, change.region),
            (self.resource_type, change.resource_type),
            (self.resource_id, change.resource_id),
        )
        if not all(fnmatchcase(value, pattern) for pattern, value in fields):
            return False
        if self.part is None:
            return True
        return _part_pattern(self.part).fullmatch(change.part) is not None

    def expired(self, today: date) -> bool:
        """True once the day after ``expires`` has begun."""
        return self.expires is not None and today > self.expires

    def scope_text(self) -> str:
        """What the rule covers, for people: its patterns other than ``*``."""
        patterns = [
            self.account_id,
            self.region,
            self.resource_type,
            self.resource_id,
            self.part or "*",
        ]
        given = [pattern for pattern in patterns if pattern != "*"]
        return " ".join(given) or "every change"

    def to_document(self) -> dict[str, Any]:
        """The rule as the diff JSON shows it."""
        return {
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "part": self.part,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
        }


@dataclass(frozen=True)
class IgnoreRules:
    """The rules of one ignore file."""

    rules: tuple[IgnoreRule, ...]
    source: str = "<ignore rules>"

    def split(
        self, today: date
    ) -> tuple[tuple[IgnoreRule, ...], tuple[IgnoreRule, ...]]:
        """(rules in force, expired rules) on ``today``."""
        active = tuple(rule for rule in self.rules if not rule.expired(today))
        expired = tuple(rule for rule in self.rules if rule.expired(today))
        return active, expired


def _part_pattern(pattern: str) -> re.Pattern[str]:
    # Parts contain JSON in brackets: only * and ? are wildcards here.
    pieces = (
        ".*" if char == "*" else "." if char == "?" else re.escape(char)
        for char in pattern
    )
    return re.compile("".join(pieces), re.DOTALL)


def load(path: Path) -> IgnoreRules:
    """Read and check an ignore file.

    Raises:
        InputError: the file is missing, not JSON, or a rule is malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such ignore file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: the ignore file cannot be read ({exc}).") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: the ignore file is not valid JSON (line {exc.lineno}, "
            f"column {exc.colno}: {exc.msg})."
        ) from exc
    return parse(document, str(path))


def parse(document: Any, source: str = "<ignore rules>") -> IgnoreRules:
    """Check a parsed ignore document and build its rules."""
    if isinstance(document, Mapping) and set(document) == {"rules"}:
        document = document["rules"]
    if not isinstance(document, list):
        raise InputError(
            f"{source}: an ignore file must be a JSON list of rules or "
            '{"rules": [...]}.'
        )
    rules = tuple(
        _rule(item, number, source) for number, item in enumerate(document, 1)
    )
    return IgnoreRules(rules, source)


def _rule(item: Any, number: int, source: str) -> IgnoreRule:
    where = f"{source}: ignore rule {number}"
    if not isinstance(item, Mapping):
        raise InputError(f"{where} is not a JSON object.")
    unknown = sorted(set(item) - ALLOWED_FIELDS)
    if unknown:
        raise InputError(
            f"{where} has unknown field {', '.join(unknown)}; allowed fields are "
            f"{', '.join(sorted(ALLOWED_FIELDS))}."
        )
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError(f'{where} needs a non-empty "reason".')
    patterns = {name: item[name] for name in PATTERN_FIELDS if name in item}
    for name, pattern in patterns.items():
        if not isinstance(pattern, str) or not pattern:
            raise InputError(f"{where}: {name!r} must be a non-empty string pattern.")
    return IgnoreRule(
        reason=reason, expires=_expires(item.get("expires"), where), **patterns
    )


def _expires(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"{where}: expires {value!r} is not a date (use YYYY-MM-DD)."
        ) from None
