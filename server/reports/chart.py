"""The arrivals-per-hour chart as inline SVG, drawn on the server: no script, no CDN.

Bars labelled with their count and hour (a head of office reads the numbers, not the axis);
the colours come from the page's stylesheet through class names (the pages' CSP allows no
inline styles). Pure: the text escaped here is the only input that is not a number.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 28, 40


def arrivals_svg(hours: list[dict[str, int]], label: str, hour_word: str) -> str:
    """An SVG bar chart of ``[{"hour": 8, "issued": 12}, ...]``; ``label`` names it for
    screen readers (role="img"), ``hour_word`` is the axis title ("Jam")."""
    title = escape(label)
    parts = [
        f'<svg class="arrivals-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{title}</title>",
    ]
    plot_w = WIDTH - LEFT - RIGHT
    base = HEIGHT - BOTTOM
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>')
    if hours:
        most = max(h["issued"] for h in hours) or 1
        slot = plot_w / len(hours)
        bar = slot * 0.72
        for i, h in enumerate(hours):
            x = LEFT + i * slot + (slot - bar) / 2
            tall = (base - TOP) * h["issued"] / most
            centre = x + bar / 2
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{base - tall:.1f}" '
                f'width="{bar:.1f}" height="{tall:.1f}"><title>{h["hour"]:02d}.00: '
                f"{h['issued']}</title></rect>"
            )
            parts.append(
                f'<text class="count" x="{centre:.1f}" y="{base - tall - 6:.1f}" '
                f'text-anchor="middle">{h["issued"]}</text>'
            )
            parts.append(
                f'<text class="hour" x="{centre:.1f}" y="{base + 18}" '
                f'text-anchor="middle">{h["hour"]:02d}</text>'
            )
    parts.append(
        f'<text class="hour" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" '
        f'text-anchor="middle">{escape(hour_word)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def summary(hours: list[dict[str, int]]) -> str:
    """The chart as words, for its label: "08: 4, 09: 2"."""
    return ", ".join(f"{h['hour']:02d}: {h['issued']}" for h in hours)
