"""The incident report: content, escaping, and what a real browser renders."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from driftwatch.report.html import render_incident_report

DATA = Path(__file__).resolve().parent.parent / "data" / "report"
EVIL_NAME = 'web"><img src=x onerror=alert(1)>'
EVIL_TAG = "</td></tr><script>alert(document.cookie)</script>"
CHROMIUM = shutil.which("chromium")


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


def graph_svg() -> str:
    """The fixture graph drawn by the real Graphviz ``dot``."""
    done = subprocess.run(
        ["dot", "-Tsvg", str(DATA / "exposure.dot")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


@pytest.fixture(scope="module")
def page() -> str:
    return render_incident_report(
        load("diff.json"),
        load("exposure.json"),
        graph_svg(),
        load("plan.json"),
        title="Incident 2026-12-04: prod",
        generated_at=datetime(2026, 12, 4, 8, 5, tzinfo=UTC),
    )


class Sections(HTMLParser):
    """Text of the elements that carry an id or a class, keyed by each of them."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[list[str]] = []
        self.texts: dict[str, list[str]] = defaultdict(list)
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        keys = [f"#{found['id']}"] if found.get("id") else []
        keys += [f".{name}" for name in (found.get("class") or "").split()]
        if tag in ("br", "meta", "img", "input"):
            return
        self.stack.append(keys)
        for key in keys:
            self.texts[key].append("")

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in ("br", "meta"):
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for keys in self.stack:
            for key in keys:
                self.texts[key][-1] += " " + data

    def text(self, key: str) -> str:
        return " ".join(" ".join(self.texts[key]).split())


def parse(markup: str) -> Sections:
    parser = Sections()
    parser.feed(markup)
    return parser


def test_attacker_controlled_text_is_shown_as_text_never_as_markup(page: str) -> None:
    assert "<script" not in page
    assert "<img" not in page
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(document.cookie)" in page
    assert "web&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    # No tag carries a source, a link or an event handler.
    assert not re.search(r"""<[^>]*\s(src|href|on\w+)\s*=""", page)


def test_the_page_forbids_scripts_and_loads_nothing_from_outside(page: str) -> None:
    assert "default-src 'none'; style-src 'unsafe-inline'; img-src data:" in page
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page


def test_the_summary_counts_severities_exposure_actors_and_steps(page: str) -> None:
    summary = parse(page).text("#summary")

    assert "Changes since baseline 6" in summary
    assert "critical 2 high 2 medium 1 low 0 info 1" in summary
    assert "Newly exposed 2 54.201.17.4 tcp/22 from 0.0.0.0/0" in summary
    assert "54.201.17.4 tcp/3389 from 0.0.0.0/1, 128.0.0.0/1" in summary
    assert "1 closed since the baseline" in summary
    assert "jane.doe@example.com (SSO, AdministratorAccess) \u00d7 2" in summary
    assert "(no CloudTrail event found) \u00d7 1" in summary
    assert (
        "Revert plan: steps 6 4 close exposure 1 destructive 1 to do by hand" in summary
    )


def test_changes_are_ordered_by_severity_with_who_made_them(page: str) -> None:
    sections = parse(page)
    rows = [
        sections.text(f"#{change['change_id']}")
        for change in load("diff.json")["changes"]
    ]

    assert rows[0].startswith("critical sg-0a1b2c3d4e5f60718")
    assert "alice (IAM user) arn:aws:iam::123456789012:user/alice" in rows[0]
    assert "AuthorizeSecurityGroupIngress at 2026-12-03T19:02:11Z" in rows[0]
    assert "from 198.51.100.23 · key AKIAIOSFODNN7EXAMPLE" in rows[0]
    assert "root (root user)" in rows[3] and "key" not in rows[3].split("root user)")[1]
    assert "no CloudTrail event found" in rows[5]
    order = re.findall(r"<tr class=\"sev-row-(\w+)\" id=\"dw-", page)
    assert order == ["critical", "critical", "high", "high", "medium", "info"]


def test_only_the_diff_is_needed(page: str) -> None:
    alone = render_incident_report({"changes": [], "unknown": []})
    summary = parse(alone).text("#summary")

    assert "Changes since baseline 0" in summary
    assert "not assessed" in summary and "no plan given" in summary
    assert "No drift from the baseline." in alone
    assert "Reachability graph" not in alone and "Revert runbook" not in alone


@pytest.fixture(scope="module")
def browser_dom(
    page: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("report")
    report = folder / "incident.html"
    report.write_text(page, encoding="utf-8")
    shot = folder / "incident.png"
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={folder / 'profile'}",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    subprocess.run(
        [*common, "--window-size=1400,2400", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dom, shot


def test_a_browser_renders_changes_exposures_and_plan_steps(
    browser_dom: tuple[str, Path],
) -> None:
    dom, _ = browser_dom
    sections = parse(dom)

    # The browser built no element from attacker text: it is all text nodes.
    assert not {"script", "img", "iframe", "object"} & set(sections.tags)
    changes = sections.text(".changes")
    for change in load("diff.json")["changes"]:
        assert " ".join(change["summary"].split()) in changes
    assert EVIL_TAG in changes and EVIL_NAME in changes
    opened = sections.text(".opened")
    assert "critical 54.201.17.4 ipv4 eni-0b1b2b3b4b5b6b7b8" in opened
    assert "tcp/22 0.0.0.0/0" in opened and "tcp/3389 0.0.0.0/1 128.0.0.0/1" in opened
    assert "3.91.22.140" in sections.text(".closed")
    for step in load("plan.json")["steps"]:
        shown = sections.text(f"#step-{step['step']}")
        assert shown.startswith(f"{step['step']}. ec2.{step['operation']}")
        assert step["reason"] in shown
    assert "destructive" in sections.text("#step-4")
    graph = sections.text(".graph")
    assert "eni-0b1b2b3b4b5b6b7b8 54.201.17.4" in graph
    assert "svg" in sections.tags and "text" in sections.tags


def test_a_browser_screenshot_is_taken(browser_dom: tuple[str, Path]) -> None:
    _, shot = browser_dom

    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000
