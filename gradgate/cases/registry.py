"""Registries of gradgate's own parts plus those installed packages add through entry points
(layer kinds here, oracles and frameworks in the harness): one mechanism for all three."""

from __future__ import annotations

import importlib.metadata


def added_by_packages(group: str) -> list[importlib.metadata.EntryPoint]:
    """The entry points of `group`, in a fixed order (by their text)."""
    return sorted(importlib.metadata.entry_points(group=group), key=str)


def registered(built_in: dict[str, str], group: str) -> dict[str, str]:
    """Name -> module: the built-in ones, then those the entry points of `group` add (a name
    gradgate has already is kept as gradgate's)."""
    found = dict(built_in)
    for entry in added_by_packages(group):
        found.setdefault(entry.name, entry.value)
    return found
