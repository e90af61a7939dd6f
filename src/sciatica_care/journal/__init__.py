"""The patient's diary, pure: validation of daily entries and the within-person trigger analysis.

No clock, no database, no files: the edge reads the document and hands it in.

    from sciatica_care.journal import analyse_diary
    analyse_diary([{"date": "2024-03-01", "leg_nrs": 6, "sitting_hours": 7}, ...]).to_json()
"""

from __future__ import annotations

from .analysis import DiaryAnalysis, FactorResult, analyse_diary, analyse_entries
from .diary import DiaryEntry, validate_diary
from .findings_text import render_text

__all__ = ["DiaryAnalysis", "DiaryEntry", "FactorResult", "analyse_diary", "analyse_entries", "render_text",
           "validate_diary"]
