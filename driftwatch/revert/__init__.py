"""Revert: the plan of boto3 calls that restores a baseline, and its careful apply.

The way through the package follows the data:

- ``planner`` (with ``region``, ``removal``, ``recreate``, ``link``) turns a
  baseline, a current snapshot and their drift into a ``steps.Plan``, using the
  per-type revert rules of ``rules.REVERT_RULES``;
- ``order`` puts the steps in order: containment first, dependencies first;
- ``planfile`` reads a plan file back and validates it strictly;
- ``apply`` (with ``checks``, ``live`` and ``undo``) runs a plan against AWS:
  DryRun checks, preconditions, verification, undo log;
- ``operations`` is the whitelist of EC2 calls a plan may hold, and
  ``emulators`` what emulators do differently with DryRun.
"""
