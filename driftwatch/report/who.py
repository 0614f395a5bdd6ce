"""One line saying who made a change, from its ``attribution`` document.

Shared by the diff renderers and the incident report; it reads the document
(see ``driftwatch.attribution.match.Attribution.to_document``), not the model,
so a renderer needs nothing but the diff JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def who_text(attribution: Mapping[str, Any] | None) -> str:
    """``alice (IAM user), AuthorizeSecurityGroupIngress at <time> from <ip>``."""
    if not attribution:
        return ""
    status = attribution.get("status")
    if status == "unavailable":
        return "unknown: CloudTrail not readable"
    if status != "attributed":
        return "no CloudTrail event found"
    actor = attribution.get("actor") or {}
    event = attribution.get("event") or {}
    text = (
        f"{actor.get('display') or 'unknown'}, {event.get('event_name')} at "
        f"{event.get('event_time')}"
    )
    if event.get("source_ip"):
        text += f" from {event['source_ip']}"
    if attribution.get("confidence") != "exact":
        text += f" [{attribution.get('confidence')}]"
    return text
