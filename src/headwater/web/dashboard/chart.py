"""A bar chart as inline SVG, drawn on the server: no script, readable by screen readers (a title, a
description, and a text label per bar), and it scales with its container."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT, AXIS = 720, 180, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    tick: str | None  # a date under the axis, for some bars only


def bars(points: list[tuple[date, int]], *, ticks: int = 6) -> tuple[list[Bar], int]:
    """Bar geometry for `points` and the largest value (the scale's top)."""
    top = max((value for _, value in points), default=0) or 1
    if not points:
        return [], top
    step = WIDTH / len(points)
    every = max(1, len(points) // ticks)
    plot = HEIGHT - AXIS
    result = []
    for index, (day, value) in enumerate(points):
        height = plot * value / top
        result.append(
            Bar(
                x=round(index * step + step * 0.1, 1),
                y=round(plot - height, 1),
                width=round(step * 0.8, 1),
                height=round(height, 1),
                label=f"{day.isoformat()}: {value:,} events",
                value=value,
                tick=day.strftime("%b %d") if index % every == 0 else None,
            )
        )
    return result, top
