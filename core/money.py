"""Money is Rupiah, kept as whole integers (the smallest unit in use), never floats."""

from __future__ import annotations

from decimal import Decimal


def format_rupiah(amount: int | Decimal | None) -> str:
    """12500 -> 'Rp 12.500'; -5000 -> '-Rp 5.000'. Indonesian grouping with dots, no decimals."""
    if amount is None:
        return ""
    value = int(Decimal(amount).to_integral_value())
    sign = "-" if value < 0 else ""
    grouped = f"{abs(value):,}".replace(",", ".")
    return f"{sign}Rp\u00a0{grouped}"
