"""driftwatch: network drift, internet exposure and revert plans for AWS VPCs."""

from __future__ import annotations

__version__ = "0.1.0"
