"""CloudTrail records as frozen ``TrailEvent``s, and who made them as ``Actor``s.

A record is one element of a log file's ``Records`` list, or the JSON string in
the ``CloudTrailEvent`` field of a ``lookup_events`` answer: the same document
(see the CloudTrail record contents and ``userIdentity`` element references).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from driftwatch.attribution.params import normalize
from driftwatch.errors import InputError

EC2_EVENT_SOURCE = "ec2.amazonaws.com"

# Identity Center (SSO) signs users in to an account through a role it manages
# whose name starts with this prefix; the session name is the user's name.
SSO_ROLE_PREFIX = "AWSReservedSSO_"


@dataclass(frozen=True)
class Actor:
    """Who made a call, from a record's ``userIdentity`` element."""

    kind: str
    identity_type: str
    name: str | None = None
    arn: str | None = None
    account_id: str | None = None
    principal_id: str | None = None
    access_key_id: str | None = None
    role_arn: str | None = None
    role_name: str | None = None
    session_name: str | None = None
    issuer_type: str | None = None
    issuer_arn: str | None = None
    sso_user: str | None = None
    sso_user_id: str | None = None
    identity_store_arn: str | None = None
    permission_set: str | None = None
    invoked_by: str | None = None
    source_identity: str | None = None
    mfa_authenticated: bool | None = None

    @property
    def display(self) -> str:
        """One line a responder reads: who, and through what."""
        who = self.sso_user or self.name or self.arn or self.principal_id or "unknown"
        how = {
            "iam_user": "IAM user",
            "assumed_role": f"role {self.role_name}" if self.role_name else "role",
            "sso_user": (
                f"SSO, {self.permission_set}" if self.permission_set else "SSO"
            ),
            "root": "root user",
            "aws_service": "AWS service",
            "federated_user": "federated user",
            "aws_account": "AWS account",
        }.get(self.kind, self.identity_type)
        text = f"{who} ({how})"
        if self.invoked_by and self.kind != "aws_service":
            text += f" via {self.invoked_by}"
        return text

    def to_document(self) -> dict[str, Any]:
        """The actor as the diff JSON's ``attribution.actor`` has it."""
        return {
            "type": self.kind,
            "identity_type": self.identity_type,
            "display": self.display,
            "name": self.name,
            "arn": self.arn,
            "account_id": self.account_id,
            "principal_id": self.principal_id,
            "access_key_id": self.access_key_id,
            "role_arn": self.role_arn,
            "role_name": self.role_name,
            "session_name": self.session_name,
            "issuer_type": self.issuer_type,
            "issuer_arn": self.issuer_arn,
            "sso_user": self.sso_user,
            "sso_user_id": self.sso_user_id,
            "identity_store_arn": self.identity_store_arn,
            "permission_set": self.permission_set,
            "invoked_by": self.invoked_by,
            "source_identity": self.source_identity,
            "mfa_authenticated": self.mfa_authenticated,
        }


@dataclass(frozen=True)
class TrailEvent:
    """One CloudTrail management event, its parameters normalised (see params)."""

    event_id: str
    event_name: str
    event_time: datetime
    event_source: str
    region: str
    account_id: str | None
    actor: Actor
    source_ip: str | None
    user_agent: str | None
    error_code: str | None
    request: Mapping[str, Any] = field(default_factory=dict)
    response: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""

    @property
    def failed(self) -> bool:
        """A call that AWS refused changed nothing: it is never the cause."""
        return bool(self.error_code)

    def to_document(self) -> dict[str, Any]:
        """The event as the diff JSON's ``attribution.event`` has it."""
        return {
            "event_id": self.event_id,
            "event_name": self.event_name,
            "event_time": format_time(self.event_time),
            "event_source": self.event_source,
            "region": self.region,
            "account_id": self.account_id,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
            "origin": self.origin,
        }


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (``Z`` or an offset) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """A UTC time as CloudTrail writes it: ``2026-12-03T18:15:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def trail_event(record: Mapping[str, Any], origin: str) -> TrailEvent:
    """A record (a log file's item, or a parsed ``CloudTrailEvent``) as a TrailEvent."""
    try:
        return TrailEvent(
            event_id=str(record["eventID"]),
            event_name=str(record["eventName"]),
            event_time=parse_time(str(record["eventTime"])),
            event_source=str(record.get("eventSource") or ""),
            region=str(record.get("awsRegion") or ""),
            account_id=_text(record.get("recipientAccountId")),
            actor=actor(record.get("userIdentity") or {}),
            source_ip=_text(record.get("sourceIPAddress")),
            user_agent=_text(record.get("userAgent")),
            error_code=_text(record.get("errorCode")),
            request=normalize(record.get("requestParameters") or {}),
            response=normalize(record.get("responseElements") or {}),
            origin=origin,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"CloudTrail record in {origin} lacks {exc} or is malformed; it is not "
            "in CloudTrail's record format."
        ) from exc


def trail_event_from_json(text: str, origin: str) -> TrailEvent:
    """The ``CloudTrailEvent`` string of a ``lookup_events`` answer as a TrailEvent."""
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise InputError(f"CloudTrailEvent from {origin} is not JSON: {exc}.") from exc
    return trail_event(record, origin)


def actor(identity: Mapping[str, Any]) -> Actor:
    """The actor of a ``userIdentity`` element, by its ``type``."""
    identity_type = str(identity.get("type") or "Unknown")
    builder = _ACTOR_BUILDERS.get(identity_type, _other_actor)
    return builder(identity, identity_type)


def _common(identity: Mapping[str, Any]) -> dict[str, Any]:
    context = identity.get("sessionContext") or {}
    attributes = context.get("attributes") or {}
    mfa = attributes.get("mfaAuthenticated")
    return {
        "arn": _text(identity.get("arn")),
        "account_id": _text(identity.get("accountId")),
        "principal_id": _text(identity.get("principalId")),
        "access_key_id": _text(identity.get("accessKeyId")),
        "invoked_by": _text(identity.get("invokedBy")),
        "source_identity": _text(context.get("sourceIdentity")),
        "mfa_authenticated": None if mfa is None else str(mfa).lower() == "true",
        **_on_behalf_of(identity),
    }


def _on_behalf_of(identity: Mapping[str, Any]) -> dict[str, Any]:
    on_behalf = identity.get("onBehalfOf") or {}
    if not on_behalf:
        return {}
    return {
        "sso_user_id": _text(on_behalf.get("userId")),
        "identity_store_arn": _text(on_behalf.get("identityStoreArn")),
    }


def _iam_user(identity: Mapping[str, Any], identity_type: str) -> Actor:
    return Actor(
        "iam_user",
        identity_type,
        name=_text(identity.get("userName")),
        **_common(identity),
    )


def _root(identity: Mapping[str, Any], identity_type: str) -> Actor:
    # For the root user, userName holds the account alias when one is set.
    name = _text(identity.get("userName")) or "root"
    return Actor("root", identity_type, name=name, **_common(identity))


def _assumed_role(identity: Mapping[str, Any], identity_type: str) -> Actor:
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    arn = _text(identity.get("arn")) or ""
    session = arn.rsplit("/", 1)[-1] if arn.count("/") >= 2 else None
    role_name = _text(issuer.get("userName"))
    common = _common(identity)
    sso = role_name is not None and role_name.startswith(SSO_ROLE_PREFIX)
    return Actor(
        "sso_user" if sso else "assumed_role",
        identity_type,
        name=session,
        role_arn=_text(issuer.get("arn")),
        role_name=role_name,
        session_name=session,
        issuer_type=_text(issuer.get("type")),
        issuer_arn=_text(issuer.get("arn")),
        sso_user=session if sso else None,
        permission_set=_permission_set(role_name) if sso else None,
        **common,
    )


def _permission_set(role_name: str | None) -> str | None:
    # AWSReservedSSO_<permission set name>_<16 hex digits>
    if not role_name:
        return None
    middle = role_name[len(SSO_ROLE_PREFIX) :]
    return middle.rsplit("_", 1)[0] if "_" in middle else middle


def _identity_center_user(identity: Mapping[str, Any], identity_type: str) -> Actor:
    common = _common(identity)
    return Actor("sso_user", identity_type, name=common.get("sso_user_id"), **common)


def _federated_user(identity: Mapping[str, Any], identity_type: str) -> Actor:
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    arn = _text(identity.get("arn")) or ""
    name = _text(identity.get("userName")) or (arn.rsplit("/", 1)[-1] or None)
    return Actor(
        "federated_user",
        identity_type,
        name=name,
        issuer_type=_text(issuer.get("type")),
        issuer_arn=_text(issuer.get("arn")),
        **_common(identity),
    )


def _aws_service(identity: Mapping[str, Any], identity_type: str) -> Actor:
    name = _text(identity.get("invokedBy")) or _text(identity.get("principalId"))
    return Actor("aws_service", identity_type, name=name, **_common(identity))


def _aws_account(identity: Mapping[str, Any], identity_type: str) -> Actor:
    name = _text(identity.get("accountId")) or _text(identity.get("principalId"))
    return Actor("aws_account", identity_type, name=name, **_common(identity))


def _other_actor(identity: Mapping[str, Any], identity_type: str) -> Actor:
    name = _text(identity.get("userName")) or _text(identity.get("principalId"))
    return Actor("unknown", identity_type, name=name, **_common(identity))


_ACTOR_BUILDERS = {
    "IAMUser": _iam_user,
    "Root": _root,
    "AssumedRole": _assumed_role,
    "IdentityCenterUser": _identity_center_user,
    "FederatedUser": _federated_user,
    "SAMLUser": _federated_user,
    "WebIdentityUser": _federated_user,
    "AWSService": _aws_service,
    "AWSAccount": _aws_account,
}


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
