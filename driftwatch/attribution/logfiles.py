"""Events from CloudTrail log files on disk, as a trail delivers them to S3.

A trail writes gzipped JSON documents ``{"Records": [...]}`` under
``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`` (an organization trail
puts ``<org id>/`` after ``AWSLogs/``). Any directory above or inside that tree
can be given; day folders outside the time window are not opened, and digest
and Insights files are not event logs.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Collection, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from driftwatch.attribution.events import EVENT_KINDS
from driftwatch.attribution.record import EC2_EVENT_SOURCE, TrailEvent, trail_event
from driftwatch.errors import InputError

logger = logging.getLogger(__name__)

NOT_EVENT_LOGS = frozenset({"CloudTrail-Digest", "CloudTrail-Insight"})
# A log file sits in the folder of its delivery day: calls just before midnight
# can be in the next day's folder.
DELIVERY_LAG = timedelta(days=1)


class LogFileSource:
    """Mutating EC2 events read from a directory of CloudTrail log files."""

    needs_event_names = False

    def __init__(self, root: Path) -> None:
        self.root = root
        self.unreadable: list[Path] = []
        self._events: list[TrailEvent] | None = None

    def events(
        self,
        account_id: str,
        region: str,
        *,
        resource_names: Collection[str],
        event_names: Collection[str],
        since: datetime,
        until: datetime | None,
    ) -> list[TrailEvent]:
        """The mutating EC2 events of one account and region in the files."""
        return [
            event
            for event in self._load(since, until)
            if event.region == region and event.account_id in (None, account_id)
        ]

    def _load(self, since: datetime, until: datetime | None) -> list[TrailEvent]:
        if self._events is None:
            files = log_files(self.root, since, until)
            # An account trail and an organization trail can both hold a call.
            unique = {e.event_id: e for path in files for e in self._read(path)}
            self._events = list(unique.values())
            logger.info(
                "cloudtrail files: %d files under %s, %d mutating EC2 events, "
                "%d unreadable",
                len(files),
                self.root,
                len(self._events),
                len(self.unreadable),
            )
        return self._events

    def _read(self, path: Path) -> Iterator[TrailEvent]:
        try:
            records = read_records(path)
        except InputError as exc:
            logger.warning("%s", exc)
            self.unreadable.append(path)
            return
        for record in records:
            if not _is_mutating_ec2(record):
                continue
            try:
                yield trail_event(record, str(path))
            except InputError as exc:
                logger.warning("%s", exc)


def _is_mutating_ec2(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and record.get("eventSource") == EC2_EVENT_SOURCE
        and record.get("eventName") in EVENT_KINDS
    )


def read_records(path: Path) -> list[Any]:
    """The ``Records`` of one log file (``.json.gz`` or ``.json``)."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                document = json.load(stream)
        else:
            document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"CloudTrail log file {path} is unreadable: {exc}.") from exc
    if not isinstance(document, dict) or not isinstance(document.get("Records"), list):
        raise InputError(f"CloudTrail log file {path} has no Records list.")
    return list(document["Records"])


def log_files(root: Path, since: datetime, until: datetime | None) -> list[Path]:
    """The event log files under ``root`` whose day folder can hold the window."""
    if not root.is_dir():
        raise InputError(
            f"--cloudtrail-dir {root} is not a directory; give the folder the "
            "trail's S3 objects were copied to (it holds AWSLogs/)."
        )
    candidates = sorted(
        path
        for pattern in ("*.json.gz", "*.json")
        for path in root.rglob(pattern)
        if not NOT_EVENT_LOGS & set(path.parts)
    )
    if not candidates:
        raise InputError(
            f"No CloudTrail log files (*.json.gz) under {root}; give the folder the "
            "trail's S3 objects were copied to."
        )
    return [path for path in candidates if _day_may_hold(path, since, until)]


def _day_may_hold(path: Path, since: datetime, until: datetime | None) -> bool:
    day = folder_day(path)
    if day is None:
        return True
    if day < (since - DELIVERY_LAG).date():
        return False
    return until is None or day <= (until + DELIVERY_LAG).date()


def folder_day(path: Path) -> date | None:
    """The YYYY/MM/DD of a file under ``CloudTrail/<region>/``, if it is there."""
    parts = path.parts
    if "CloudTrail" not in parts:
        return None
    index = parts.index("CloudTrail")
    try:
        year, month, day = (int(part) for part in parts[index + 2 : index + 5])
        return date(year, month, day)
    except ValueError:
        return None
