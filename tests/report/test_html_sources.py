"""The incident report names near-universal sources by what they leave out."""

from __future__ import annotations

from driftwatch.report.html_evidence import sources, sources_text


def test_a_near_universal_source_set_reads_as_the_world_except_its_holes() -> None:
    exposure = {
        "address_family": "ipv4",
        "sources": ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8"],
        "sources_except": ["10.0.0.0/8"],
    }

    assert sources(exposure) == ["0.0.0.0/0 except", "10.0.0.0/8"]
    assert sources_text(exposure) == "0.0.0.0/0 except 10.0.0.0/8"


def test_ipv6_holes_are_taken_out_of_the_ipv6_world() -> None:
    exposure = {
        "address_family": "ipv6",
        "sources": ["::/1"],
        "sources_except": ["8000::/1"],
    }

    assert sources_text(exposure) == "::/0 except 8000::/1"


def test_a_narrow_source_set_is_listed_as_it_is() -> None:
    exposure = {
        "address_family": "ipv4",
        "sources": ["198.51.100.0/24", "203.0.113.0/24"],
    }

    assert sources(exposure) == ["198.51.100.0/24", "203.0.113.0/24"]
    assert sources_text(exposure) == "198.51.100.0/24, 203.0.113.0/24"
