"""Kept only for migration 0004, which imports it: the dashboard's per-episode facts now live in their own table,
written by `episode_outcomes` and filled for existing episodes by migration 0008."""

from __future__ import annotations


def refresh_all() -> int:
    """Nothing to do any more: the columns 0004 added are read and replaced by migration 0008 (which computes
    every row from the records, the first plan's cause and phase included). Returns 0."""
    return 0
