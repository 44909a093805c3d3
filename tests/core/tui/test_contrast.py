"""Readable everywhere (issue 11, C20): text a person must read is at least 4.5:1 (WCAG AA) in
every shipped theme, on a truecolour terminal and under TERM=linux (16 colours, the VGA palette).

The colours are taken from what the app draws (the compositor's segments, after Textual has blended
alpha and applied the theme), then, for 16 colours, reduced as a 16-colour terminal gets them (rich's
downgrade, Textual's own path) and shown in that terminal's palette. Dim text is taken at half
intensity. Before: the focused Username placeholder was 1.0:1 under TERM=linux (grey on grey),
2.9:1 in duty-high-contrast, and the alert banner's red background became black in 16 colours.
"""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import build_app, quick_sign_in, settle
from rich.color import ColorSystem
from rich.terminal_theme import TerminalTheme

from duty_tui.core.tui.screens.person import PersonScreen

_DIM = [(0, 0, 0), (170, 0, 0), (0, 170, 0), (170, 85, 0), (0, 0, 170), (170, 0, 170), (0, 170, 170), (170, 170, 170)]
_BRIGHT = [(85, 85, 85), (255, 85, 85), (85, 255, 85), (255, 255, 85), (85, 85, 255), (255, 85, 255), (85, 255, 255),
           (255, 255, 255)]
LINUX = TerminalTheme((0, 0, 0), (170, 170, 170), _DIM, _BRIGHT)
"""The Linux console: the VGA palette, light grey on black."""
XTERM_DARK = TerminalTheme((0, 0, 0), (229, 229, 229),
                           [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
                            (229, 229, 229)],
                           [(127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255),
                            (0, 255, 255), (255, 255, 255)])
XTERM_LIGHT = TerminalTheme((255, 255, 255), (0, 0, 0), XTERM_DARK.ansi_colors._colors[:8],
                            XTERM_DARK.ansi_colors._colors[8:])

CASES = [  # (theme, terminal, colour system)
    ("textual-dark", XTERM_DARK, "truecolor"), ("textual-dark", LINUX, "standard"),
    ("textual-light", XTERM_DARK, "truecolor"), ("textual-light", LINUX, "standard"),
    ("duty-high-contrast", XTERM_DARK, "truecolor"), ("duty-high-contrast", LINUX, "standard"),
    ("ansi-dark", XTERM_DARK, "standard"), ("ansi-dark", LINUX, "standard"),
    ("ansi-light", XTERM_LIGHT, "standard"),
]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """The WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_wcag():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast((119, 119, 119), (255, 255, 255)), 2) == 4.48  # #777 on white: just fails AA


def _rgb(color, terminal: TerminalTheme, default, system: str) -> tuple[int, int, int]:
    if color is None or color.is_default:
        return default
    if system == "standard":
        color = color.downgrade(ColorSystem.STANDARD)
    triplet = color.get_truecolor(terminal)
    return triplet.red, triplet.green, triplet.blue


def drawn(app, terminal: TerminalTheme, system: str) -> list[tuple[int, str, float]]:
    """(row, text, contrast) for every run of text on the screen as the terminal shows it."""
    found = []
    for row, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            text, style = segment.text.strip(), segment.style
            if not text or style is None:
                continue
            fg = _rgb(style.color, terminal, tuple(terminal.foreground_color), system)
            bg = _rgb(style.bgcolor, terminal, tuple(terminal.background_color), system)
            if style.reverse:
                fg, bg = bg, fg
            if style.dim:
                fg = tuple((f + b) // 2 for f, b in zip(fg, bg, strict=True))
            found.append((row, text, contrast(fg, bg)))
    return found


def _worst(runs, *words: str) -> float:  # noqa: D103
    ratios = [ratio for _row, text, ratio in runs if any(w in text for w in words)]
    assert ratios, f"none of {words} on screen: {[t for _r, t, _c in runs]}"
    return min(ratios)


@pytest.mark.sqlite_only  # colours, not data
@pytest.mark.parametrize(("theme", "terminal", "system"), CASES,
                         ids=[f"{t}-{'linux16' if term is LINUX else 'xterm'}" for t, term, _s in CASES])
async def test_what_people_must_read_is_at_least_4_5_to_1(engine, theme, terminal, system):
    seed_office(engine)
    app = build_app(engine, theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == theme and app.focused.id == "username"
        login = drawn(app, terminal, system)
        assert _worst(login, "our username") >= 4.5  # the focused box's placeholder (its "y" is under the cursor)
        assert _worst(login, "password") >= 4.5  # a placeholder in a box without focus
        assert _worst(login, "Username", "Password") >= 4.5

        await quick_sign_in(app, pilot, "leader")
        app.push_screen(PersonScreen("P0000001"))  # has a violent-or-aggressive alert
        await settle(app, pilot)
        person = drawn(app, terminal, system)
        assert _worst(person, "ALERT") >= 4.5
        assert _worst(person, "Violent or aggressive") >= 4.5


@pytest.mark.sqlite_only
async def test_an_alert_is_said_in_words_and_a_symbol_not_only_red(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot, "leader")
        app.push_screen(PersonScreen("P0000001"))
        await settle(app, pilot)
        banner = str(app.screen.query_one("#alerts").render())
        assert "⚠ 1 ALERT" in banner and "Violent or aggressive" in banner


@pytest.mark.sqlite_only  # colours, not data
@pytest.mark.parametrize(("theme", "terminal", "system"), CASES,
                         ids=[f"{t}-{'linux16' if term is LINUX else 'xterm'}" for t, term, _s in CASES])
async def test_footer_keys_tabs_and_header_are_at_least_4_5_to_1(engine, theme, terminal, system):
    """Issue 11 round 2: the footer's keys and words, an inactive tab and the header read at 4.5:1 too
    (before: footer keys 2.4:1 under TERM=linux and 2.9:1 in textual-light, inactive tabs 2.8:1, the header
    under TERM=linux 3.2:1)."""
    seed_office(engine)
    app = build_app(engine, theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await settle(app, pilot)
        home = drawn(app, terminal, system)
        footer_row = 23
        footer = [(row, text, ratio) for row, text, ratio in home if row == footer_row]
        assert _worst(footer, "f1", "f2", "⏎") >= 4.5  # the keys
        assert _worst(footer, "Help", "Search", "Open") >= 4.5  # what they do
        assert _worst(home, "Team queue") >= 4.5  # the tab not chosen
        assert _worst(home, "My work") >= 4.5  # the chosen tab
        assert _worst([r for r in home if r[0] == 0], "Duty dashboard") >= 4.5  # the header
