"""Bilingual data: records carry Chinese and English text side by side (name_zh / name_en)."""

from django.utils.translation import get_language


def in_active_language(chinese: str, english: str) -> str:
    """The English text for English readers when there is one; Chinese otherwise."""
    if (get_language() or "").startswith("en") and english:
        return english
    return chinese
