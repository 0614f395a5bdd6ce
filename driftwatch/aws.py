"""AWS sessions, clients, region discovery and the translation of botocore errors.

This is the only module that knows botocore's exception classes: everything
else sees either a coverage status (for a single failed read) or an
``AwsError`` from ``driftwatch.errors``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions
import botocore.loaders
import botocore.parsers
import botocore.session
from botocore.config import Config

from driftwatch.errors import AwsError, CredentialsError, RegionError

logger = logging.getLogger(__name__)

# Error codes grouped by what they mean for a read. The groups decide the coverage
# status a failed (region, type) read gets: never an empty list.
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthFailure",
        "UnrecognizedClientException",
    }
)
THROTTLED_CODES = frozenset(
    {"RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequests"}
)
NOT_ENABLED_CODES = frozenset({"OptInRequired", "InvalidClientTokenId"})
UNSUPPORTED_CODES = frozenset(
    {"InvalidAction", "UnsupportedOperation", "NotImplemented", "UnknownOperation"}
)
CREDENTIAL_CODES = frozenset(
    {"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "AuthFailure"}
)

DEFAULT_MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to AWS: a profile, an endpoint override and retry settings."""

    profile: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # "adaptive" paces a client after throttling (its rate limiter is shared by
    # everything the client sends); "standard" only retries with backoff.
    retry_mode: str = "adaptive"
    max_pool_connections: int = 32

    def session(self, region: str | None = None) -> boto3.session.Session:
        """A new boto3 session, for one thread only (sessions are not thread-safe).

        Every session shares one botocore data loader, so the large EC2 API
        model is parsed once per process instead of once per session.
        """
        core = botocore.session.Session()
        try:
            core.register_component("data_loader", _shared_loader(core))
            session = boto3.session.Session(
                botocore_session=core, profile_name=self.profile, region_name=region
            )
            # Resolve the profile now (it may come from AWS_PROFILE): a missing
            # one must fail here, as one clear error, not in the middle of a read.
            core.get_scoped_config()
        except botocore.exceptions.ProfileNotFound as exc:
            profile = exc.kwargs.get("profile", self.profile)
            raise CredentialsError(
                f"AWS profile {profile!r} is not configured; check ~/.aws/config, "
                "AWS_PROFILE or pass another --profile."
            ) from exc
        # boto3 appends its own data path to the loader of each new session:
        # on a shared loader that list would grow by one entry per session.
        paths = core.get_component("data_loader").search_paths
        paths[:] = list(dict.fromkeys(paths))
        return session

    def client(
        self,
        service: str,
        region: str,
        session: boto3.session.Session | None = None,
    ) -> Any:
        """A client with adaptive retries, so throttling is absorbed, not reported."""
        config = Config(
            retries={"mode": self.retry_mode, "max_attempts": self.max_attempts},
            max_pool_connections=self.max_pool_connections,
            user_agent_extra="driftwatch",
        )
        session = session or self.session(region)
        endpoint = self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        return session.client(
            service, region_name=region, endpoint_url=endpoint, config=config
        )


_loader: botocore.loaders.Loader | None = None
_loader_lock = threading.Lock()


def _shared_loader(first: botocore.session.Session) -> botocore.loaders.Loader:
    """The process's one data loader; the first session's own loader becomes it."""
    global _loader  # noqa: PLW0603 - one loader (a read-only cache) per process
    with _loader_lock:
        if _loader is None:
            _loader = first.get_component("data_loader")
        return _loader


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, or None for other errors."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = exc.response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def coverage_status(exc: BaseException) -> str:
    """The coverage status a failed read becomes: denied, throttled, and so on."""
    code = error_code(exc)
    if code in THROTTLED_CODES:
        return "throttled"
    if code in NOT_ENABLED_CODES:
        return "not_enabled"
    if code in DENIED_CODES:
        return "denied"
    if code in UNSUPPORTED_CODES or _is_not_implemented(exc):
        return "unsupported"
    return "error"


def _is_not_implemented(exc: BaseException) -> bool:
    # Emulators lack some actions: in-process moto raises NotImplementedError
    # ("The ... action has not been implemented"); others say so in an error
    # text. That is "unsupported", not empty.
    # LIMITATION: a moto server answers an action it lacks with an HTML 500
    # page that names nothing; that read is recorded as "error" (after the
    # retries), since it cannot be told from a server that crashed.
    if isinstance(exc, NotImplementedError):
        return True
    text = str(exc).lower()
    return any(
        phrase in text
        for phrase in ("not yet implemented", "not been implemented", "notimplemented")
    )


# EC2 answers a DryRun call that would have succeeded with this error code.
DRY_RUN_PASSED = "DryRunOperation"


def dry_run_outcome(exc: BaseException) -> str:
    """What a DryRun call's error means: ``passed``, ``denied`` or ``failed``."""
    code = error_code(exc)
    if code == DRY_RUN_PASSED:
        return "passed"
    if code in DENIED_CODES:
        return "denied"
    return "failed"


def describe_failure(exc: BaseException) -> str:
    """A one-line description of a failed call, for a coverage row's detail."""
    code = error_code(exc)
    if code:
        message = exc.response.get("Error", {}).get("Message", "")  # type: ignore[attr-defined]
        return f"{code}: {message}".strip().rstrip(":")
    return f"{type(exc).__name__}: {exc}"


def translate(exc: BaseException, what: str) -> AwsError:
    """Turn a botocore failure of a whole-command call into one clear AwsError."""
    code = error_code(exc)
    if isinstance(exc, botocore.exceptions.NoCredentialsError) or code in (
        CREDENTIAL_CODES
    ):
        return CredentialsError(
            f"AWS rejected or could not find credentials while {what}; configure "
            "them (aws configure, AWS_PROFILE or --profile) and try again.",
            code,
        )
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return AwsError(
            f"Could not reach AWS while {what} ({exc}); check the region, "
            "--endpoint-url and the network.",
            code,
        )
    if isinstance(exc, botocore.exceptions.PartialCredentialsError):
        return CredentialsError(
            f"The AWS credentials are incomplete while {what}: {exc}.", code
        )
    return AwsError(f"AWS call failed while {what}: {describe_failure(exc)}.", code)


AWS_FAILURES: tuple[type[BaseException], ...] = (
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
    # Not a BotoCoreError: what an endpoint (an emulator's HTTP 500 page, a
    # proxy) answers when it is not an AWS response at all.
    botocore.parsers.ResponseParserError,
)


def caller_account(sts: Any) -> str:
    """The account that an STS client's credentials belong to."""
    try:
        return str(sts.get_caller_identity()["Account"])
    except AWS_FAILURES as exc:
        raise translate(
            exc, "asking STS which account the credentials belong to"
        ) from exc


def account_id(
    target: AwsTarget, region: str, *, session: boto3.session.Session | None = None
) -> str:
    """The account of the current credentials, from STS."""
    try:
        sts = target.client("sts", region, session=session)
    except AWS_FAILURES as exc:
        raise translate(exc, "setting up STS") from exc
    return caller_account(sts)


def region_names(ec2: Any) -> list[str]:
    """Regions enabled for the account (describe_regions without AllRegions)."""
    try:
        regions = ec2.describe_regions()["Regions"]
    except AWS_FAILURES as exc:
        raise translate(exc, "listing the enabled regions") from exc
    return sorted(region["RegionName"] for region in regions)


def enabled_regions(
    target: AwsTarget,
    home_region: str,
    *,
    session: boto3.session.Session | None = None,
) -> list[str]:
    """Regions enabled for the account, asked in ``home_region``."""
    try:
        ec2 = target.client("ec2", home_region, session=session)
    except AWS_FAILURES as exc:
        raise translate(exc, "setting up EC2") from exc
    return region_names(ec2)


def choose_regions(requested: Sequence[str], enabled: Sequence[str]) -> list[str]:
    """The regions to read: the ones requested, checked, or every enabled one."""
    if not requested:
        return sorted(enabled)
    unknown = sorted(set(requested) - set(enabled))
    if unknown:
        raise RegionError(
            f"Region {', '.join(unknown)} is not enabled for this account or does "
            f"not exist; enabled regions are: {', '.join(enabled)}."
        )
    return sorted(set(requested))


def resolve_regions(
    target: AwsTarget,
    requested: Sequence[str],
    home_region: str,
    *,
    session: boto3.session.Session | None = None,
) -> list[str]:
    """The regions to read: the ones requested, checked, or every enabled one."""
    return choose_regions(
        requested, enabled_regions(target, home_region, session=session)
    )


def home_region(
    target: AwsTarget,
    requested: Iterable[str],
    *,
    session: boto3.session.Session | None = None,
) -> str:
    """The region used for account-level calls (STS, describe_regions).

    The configured region comes first: a mistyped ``--region`` must be
    reported as not enabled by ``describe_regions`` in a region that works,
    not as an unreachable endpoint in the mistyped one.
    """
    configured = (session or target.session()).region_name
    if configured:
        return str(configured)
    for region in requested:
        return region
    return "us-east-1"
