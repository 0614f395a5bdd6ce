"""The one exception tree of driftwatch.

Every class carries the exit code the CLI turns it into, so the mapping from
failure to exit lives in exactly one place::

    DriftwatchError (exit 2)            base; "could not do its job"
    ├── UsageError (+ ValueError)       bad options or arguments
    ├── InputError (+ ValueError)       a snapshot, baseline, plan or ignore file is bad
    │   └── RefNotFoundError (+ LookupError)   a REF names nothing
    ├── StoreError (+ OSError)          the store cannot be read, locked or written
    ├── AwsError                        an AWS call failed as a whole
    │   ├── CredentialsError            no usable credentials
    │   ├── RegionError                 a region that does not exist or is not enabled
    │   └── CloudTrailError             CloudTrail could not be read for attribution
    └── ApplyError                      revert --apply could not start at all

Read failures of single (region, resource type) pairs are not exceptions: they
become coverage rows, and the command exits 3 (see ``driftwatch.snapshot``).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_FAILURE = 2
EXIT_INCOMPLETE = 3


class DriftwatchError(Exception):
    """Base class: the command could not do its job."""

    exit_code = EXIT_FAILURE


class UsageError(DriftwatchError, ValueError):
    """The options or arguments given do not make sense together."""


class InputError(DriftwatchError, ValueError):
    """A file given to driftwatch is unreadable, corrupt or of the wrong kind."""


class RefNotFoundError(InputError, LookupError):
    """A REF names no file, baseline, snapshot id or ``latest``."""


class StoreError(DriftwatchError, OSError):
    """The store directory or its catalog cannot be used."""


class AwsError(DriftwatchError):
    """An AWS call that the whole command depends on failed."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class CredentialsError(AwsError):
    """No usable AWS credentials were found or they were rejected."""


class RegionError(AwsError):
    """A region was named that does not exist or is not enabled."""


class CloudTrailError(AwsError):
    """CloudTrail events of a region could not be read (the diff goes on without)."""


class ApplyError(DriftwatchError):
    """A revert plan could not be applied at all (not a single failed step)."""
