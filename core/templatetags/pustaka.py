from django import template

from core.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """{{ amount|rupiah }} -> 'Rp 12.500'."""
    try:
        return format_rupiah(amount)
    except (TypeError, ValueError, ArithmeticError):
        return ""


@register.filter
def opening_hours(day) -> str:
    """A calendar Day's periods: '08.00–11.30, 13.30–16.00' (Indonesian), '08:00–…' (English)."""
    from django.utils.translation import get_language

    separator = ":" if (get_language() or "id").startswith("en") else "."
    fmt = f"%H{separator}%M"
    return ", ".join(
        f"{p.opens_at.strftime(fmt)}–{p.closes_at.strftime(fmt)}"
        for p in getattr(day, "periods", ())
    )


@register.filter
def get_item(mapping, key):
    """{{ counts|get_item:link.key }}: a dictionary's value by a variable key (None if absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
