"""Renderers of results for people and tools: one module per subject.

``diff`` (table, JSON, Markdown, SARIF), ``exposure`` (table, JSON, Markdown),
``plan`` (runbook text, JSON, Python script) and ``html`` (the incident report).
Renderers are pure: they take results and return text; the CLI writes it.
"""
