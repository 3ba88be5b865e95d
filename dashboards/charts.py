"""Geometry of the dashboards' charts, computed here so the templates only draw SVG.

Every chart has a title, axis ticks with readable numbers, a <title> on each bar, and the same
numbers in a table (the template puts it under the chart), so a screen reader, a printer and a
person who prefers numbers all get them."""

from decimal import Decimal
from math import ceil, floor, log10

from core.templatetags.numbers import money, thousands

PLOT_TOP, PLOT_LEFT, AXIS_BOTTOM = 12, 56, 24


def _nice_step(peak: float, *, whole: bool, unit: int = 1) -> float:
    """The step between the y-axis's four gridlines: 1, 2 or 5 × 10ⁿ (in yuan for money: ``unit``
    fen), so ticks read 0 / 5 / 10 / 15 / 20, never 6.25 / 12.5 / 18.75; counts step by whole numbers."""
    quarter = peak / unit / 4
    if quarter <= 0:
        return unit
    magnitude = 10 ** floor(log10(quarter))
    step = next(m * magnitude for m in (1, 2, 5, 10) if quarter <= m * magnitude)
    if whole or unit > 1:
        step = max(1, step)
    return step * unit


def _tick(value: float, is_money: bool) -> str:
    """A y-axis label: money in whole yuan when it is whole (¥5,000), otherwise as a bar label."""
    if is_money:
        yuan = Decimal(int(value)) / 100
        return f"¥{yuan:,.0f}" if yuan == yuan.to_integral_value() else money(int(value))
    return _fmt(Decimal(str(value)), False)


def _fmt(value, is_money: bool) -> str:
    """An axis or bar label: money in yuan; a count or hours without trailing zeros (2.5, 10)."""
    if is_money:
        return money(value)
    number = Decimal(str(value))
    return thousands(number.to_integral_value() if number == number.to_integral_value() else number.normalize())


def column_chart(rows: list[dict], series: list[tuple[str, str]], *, label_key: str = "month", label_format: str = "%m",
                 is_money: bool = False, height: int = 180, bar: int = 18, gap: int = 12, link: str = "") -> dict:
    """Vertical bars per row (a month), one bar per series side by side, a y-axis with four ticks.

    ``series``: (key in each row, label shown in the legend). ``is_money``: values are fen."""
    values = [row[key] for row in rows for key, _label in series]
    whole = is_money or all(Decimal(str(v)) == Decimal(str(v)).to_integral_value() for v in values)
    step = _nice_step(max((float(v) for v in values), default=0), whole=whole, unit=100 if is_money else 1)
    peak = step * 4
    plot = height - PLOT_TOP - AXIS_BOTTOM
    group = bar * len(series) + gap
    tick_labels = [_tick(step * k, is_money) for k in range(5)]
    # Room for the widest tick label (¥20,000 is not clipped): about 7 px a character at the axis size.
    left = max(PLOT_LEFT, 12 + 7 * max(len(label) for label in tick_labels))
    groups = []
    for i, row in enumerate(rows):
        x0 = left + gap / 2 + i * group
        label = row[label_key].strftime(label_format) if hasattr(row[label_key], "strftime") else str(row[label_key])
        bars = []
        for j, (key, name) in enumerate(series):
            value = row[key]
            h = round(float(value) / peak * plot, 1)
            bars.append({"x": x0 + j * bar, "y": PLOT_TOP + plot - h, "height": h, "value": _fmt(value, is_money), "series": j, "name": name})
        groups.append({"label": label, "x": x0 + bar * len(series) / 2, "bars": bars})
    ticks = [{"y": PLOT_TOP + plot - plot * k / 4, "label": label} for k, label in enumerate(tick_labels)]
    width = left + max(1, len(rows)) * group + gap
    return {
        "width": width, "height": height, "bar": bar, "groups": groups, "ticks": ticks, "left": left,
        "baseline": PLOT_TOP + plot, "legend": [{"name": name, "series": j} for j, (_key, name) in enumerate(series)],
        "rows": rows, "series": series, "is_money": is_money, "link": link,
    }


def hbar_chart(items: list[dict], *, is_money: bool = False, width: int = 440, row_height: int = 26, label_width: int = 190) -> dict:
    """Horizontal bars for categories (tracks, communities): items are {label, value, link?}."""
    peak = max((float(item["value"]) for item in items), default=0) or 1
    plot = width - label_width - 70
    rows = []
    for i, item in enumerate(items):
        w = round(float(item["value"]) / peak * plot, 1)
        rows.append({**item, "y": i * row_height, "width": w, "shown": _fmt(item["value"], is_money), "text_x": label_width + w + 6})
    return {"width": width, "height": max(1, len(items)) * row_height, "rows": rows, "label_width": label_width, "bar": row_height - 8}


def resolution_buckets(durations) -> list[dict]:
    """How long resolved needs took, in the buckets a street office reports."""
    limits = [(3, "≤ 3"), (7, "4–7"), (14, "8–14"), (30, "15–30"), (None, "> 30")]
    counts = [0] * len(limits)
    for d in durations:
        days = ceil(d.total_seconds() / 86400)
        for i, (limit, _label) in enumerate(limits):
            if limit is None or days <= limit:
                counts[i] += 1
                break
    return [{"label": label, "value": n} for (_limit, label), n in zip(limits, counts, strict=True)]
