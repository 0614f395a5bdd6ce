"""``python -m driftwatch``: the same as the ``driftwatch`` command."""

from __future__ import annotations

from driftwatch.cli import main

main()
