"""House style: how the Cabinet paper prints figures.

Rounding is half-up on the decimal figure (as a spreadsheet displays it), so 8.25% prints
as 8.3%. The 2025 report's conventions, which these rules reproduce:

- money in millions to one decimal, dropping ".0": "£32m", "£12.3 million", "£2 million";
  two decimals where the report needs them: "£2.44m";
- smaller money to the nearest thousand ("£743,000") or hundred ("£57,200"), or exact
  ("£479,684");
- changes in percent: one decimal below 10% ("8.3%", "5.3%"), whole numbers above ("15%",
  "868%"); shares and local spend to one decimal, dropping ".0" ("27.9%", "24%");
- units with thousands separators and up to two decimals, trailing zeros dropped ("1,850.1",
  "21.84", "19").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from svreport.core.vocabulary import COUNT, MONEY, RATIO, is_money, unit_words


def round_half_up(value: float, places: int) -> Decimal:
    """Round as a spreadsheet displays: on the shortest decimal form of the float, halves up."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fixed(value: float, places: int, strip: bool = True, separators: bool = True) -> str:
    rounded = round_half_up(value, places)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    text = f"{rounded:,.{max(places, 0)}f}" if separators else f"{rounded:.{max(places, 0)}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _signed_money(value: float, body: str) -> str:
    return f"-£{body.lstrip('-')}" if body.startswith("-") else f"£{body}"


def gbp(value: float) -> str:
    """Exact to the pound: '£479,684'."""
    return _signed_money(value, _fixed(value, 0))


def gbp_pence(value: float) -> str:
    """To the penny, for a run's own messages about rows: '£61.50', '-£3,037.88'."""
    return _signed_money(value, f"{value:,.2f}")


def gbp_nearest(value: float, step: int) -> str:
    """To the nearest ``step`` pounds (100 or 1000): '£57,200', '£743,000'."""
    places = -len(str(step)) + 1
    return _signed_money(value, f"{round_half_up(value, places):,.0f}")


def gbp_millions(value: float, places: int = 1, word: bool = False) -> str:
    """'£32m' / '£2.44m', or with ``word`` '£32 million'."""
    body = _fixed(value / 1_000_000, places)
    return _signed_money(value, body + (" million" if word else "m"))


def money_step(size: float) -> int | None:
    """The report's money style by size: None for millions (one decimal, from £1m), else the step to round
    to: thousands from £100k, hundreds below."""
    if round_half_up(size / 1_000_000, 1) >= 1:
        return None
    return 1000 if size >= 100_000 else 100


def gbp_in_style(value: float, step: int | None) -> str:
    """Money in a style ``money_step`` chose: '£32 million', '£743,000', '£57,200'."""
    return gbp_millions(value, 1, word=True) if step is None else gbp_nearest(value, step)


def gbp_auto(value: float) -> str:
    """The report's choice for one sum of money: styled by its own size (``money_step``)."""
    return gbp_in_style(value, money_step(abs(value)))


def number(value: float, places: int = 2) -> str:
    """'1,850.1', '21.84', '19' (up to ``places`` decimals, trailing zeros dropped)."""
    return _fixed(value, places)


def number_plain(value: float, places: int = 2) -> str:
    """Without thousands separators, as the report's infographic panels print them: '1850.1'."""
    return _fixed(value, places, separators=False)


def number_auto(value: float) -> str:
    """Whole numbers from 100 ('324'), else up to two decimals ('2.84')."""
    return number(value, 0 if abs(value) >= 100 else 2)


def percent(ratio: float, places: int | None = None) -> str:
    """A ratio as percent. ``places=None`` is the house rule for changes: one decimal below 10%."""
    value = ratio * 100
    if places is None:
        places = 1 if abs(round_half_up(value, 1)) < 10 else 0
    return _fixed(value, places) + "%"


def quantity(value: float, unit: str) -> str:
    """'324 weeks', '2.84 FTE', '£743,000'."""
    if is_money(unit):
        return gbp_auto(value)
    singular, plural = unit_words(unit)
    text = number_auto(value)
    word = singular if text in ("1", "-1") else plural
    return f"{text} {word}".strip()


def change_phrase(absolute: float, ratio: float | None, unit: str, amount: str | None = None) -> str:
    """'a net increase of £4.2 million or 15%'; ``amount`` prints the change in a style of the caller's."""
    direction = "increase" if absolute >= 0 else "decrease"
    text = f"a net {direction} of {amount or quantity(abs(absolute), unit)}"
    return text if ratio is None else f"{text} or {percent(abs(ratio))}"


def _pair_styles(previous: float, current: float, unit: str, refine: int = 0) -> tuple[str, str, str]:
    """Both values of a comparison in one style, chosen by the larger: '£27.8 million' / '£32 million',
    '£82,000' / '£794,000', '19' / '21.84' (+ 'FTE'); ``refine`` more places where that style would print two
    different figures alike. Returns (previous, current, unit word)."""
    size = max(abs(previous), abs(current))
    if is_money(unit):
        step = money_step(size)
        if step is None:
            return (gbp_millions(previous, 1 + refine, word=True), gbp_millions(current, 1 + refine, word=True), "")
        step = step // 10 ** refine
        return ((gbp_in_style(previous, step), gbp_in_style(current, step), "") if step > 1 else
                (gbp(previous), gbp(current), "") if step == 1 else (gbp_pence(previous), gbp_pence(current), ""))
    if unit == RATIO:
        return percent(previous, 1 + refine), percent(current, 1 + refine), ""
    places = (0 if size >= 100 else 2) + refine
    before, after = number(previous, places), number(current, places)
    singular, plural = unit_words(unit)
    return before, after, singular if after in ("1", "-1") else plural


def _as_printed(value: float, size: float, unit: str, refine: int = 0) -> float:
    """``value`` rounded as a comparison of figures up to ``size`` prints them (``_pair_styles``)."""
    if is_money(unit):
        step = money_step(size)
        if step is None:
            return float(round_half_up(value / 1_000_000, 1 + refine)) * 1_000_000
        step = step // 10 ** refine
        return float(round_half_up(value, -len(str(step)) + 1 if step >= 1 else 2))
    if unit == RATIO:
        return float(round_half_up(value * 100, 1 + refine)) / 100
    return float(round_half_up(value, (0 if size >= 100 else 2) + refine))


def comparison(previous: float, current: float, unit: str) -> dict[str, str]:
    """The phrases that compare a figure with the previous report, each reading right whichever way the
    figure moved: direction, verbs and the change come from the numbers, never from the author.

    - ``rose``: 'rose from £16.9 million to £18.3 million' / 'fell from ...' / 'was unchanged at ...'
    - ``risen``: 'has risen from ...' / 'has fallen from ...' / 'is unchanged at ...'
    - ``up``: 'up from ...' / 'down from ...' / 'unchanged at ...'
    - ``change``: 'a net increase of £1.4 million or 8.3%' / 'a net decrease of ...' / 'no change'
      (no percentage where the previous figure is zero; shares change by percentage points)
    - ``rose_by``, ``risen_by``, ``up_by``: the clause and its change, 'rose from X to Y, a net increase
      of Z or 8.3%'; when nothing changed at the printed precision, the clause alone
    - ``previous``, ``now``: the two values in the comparison's style; ``direction``: increase,
      decrease or unchanged
    """
    absolute = current - previous
    ratio = absolute / previous if previous else None
    refine = 0  # two different figures never print alike: '£7.74 million to £7.66 million', not '£7.7 million' twice
    while True:
        before, after, word = _pair_styles(previous, current, unit, refine)
        if before != after or refine == 3 or absolute == 0 or (unit != RATIO and ratio is not None and
                                                               round_half_up(abs(ratio) * 100, 1) == 0):
            break
        refine += 1
    now = f"{after} {word}".strip()
    # The change printed is the change itself where, at the figures' precision, it is their difference
    # ('£1.7 million to £2.4 million, a net increase of £743,000'); else the difference of the printed figures
    # ('1,604 to 2,258 FTE, a net increase of 654 FTE', not 653).
    size = max(abs(previous), abs(current))
    difference = _as_printed(current, size, unit, refine) - _as_printed(previous, size, unit, refine)
    shown = absolute if abs(_as_printed(absolute, size, unit, refine) - difference) < 1e-9 else difference
    if unit == RATIO:
        points = _fixed(abs(shown) * 100, 1)
        unchanged = points == "0"
        change = f"a net {'increase' if absolute > 0 else 'decrease'} of {points} percentage points"
    else:
        unchanged = before == after and (ratio is None or round_half_up(abs(ratio) * 100, 1) == 0)
        step = money_step(size) if is_money(unit) else None
        step = step // 10 ** refine if step else None
        # below £1m the change takes the pair's own step ("£121,000 to £178,000, ... of £57,000")
        amount = (None if not is_money(unit) else gbp_auto(abs(shown)) if step is None else
                  gbp_in_style(abs(shown), step) if step > 1 else gbp(abs(shown)) if step == 1 else
                  gbp_pence(abs(shown)))
        change = change_phrase(shown, ratio, unit, amount)
    if absolute == 0 or unchanged:
        forms = {"rose": f"was unchanged at {now}", "risen": f"is unchanged at {now}", "up": f"unchanged at {now}",
                 "change": "no change", "direction": "unchanged"}
        forms |= {"rose_by": forms["rose"], "risen_by": forms["risen"], "up_by": forms["up"]}
    else:
        rising = absolute > 0
        span = f"from {before} to {now}"
        forms = {"rose": f"{'rose' if rising else 'fell'} {span}", "risen": f"has {'risen' if rising else 'fallen'} "
                 f"{span}", "up": f"{'up' if rising else 'down'} {span}", "change": change,
                 "direction": "increase" if rising else "decrease"}
        forms |= {f"{form}_by": f"{forms[form]}, {change}" for form in ("rose", "risen", "up")}
    return forms | {"previous": f"{before} {word}".strip(), "now": now}


ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(value: float) -> str:
    """3 -> 'third'; 21 -> '21st'."""
    number = int(round_half_up(value, 0))
    if 0 <= number < len(ORDINALS):
        return ORDINALS[number]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def styles_for(value: float, unit: str) -> dict[str, str]:
    """Every printed form a ledger value may take in the report, by its unit."""
    if unit == MONEY:
        return {"gbp": gbp(value), "p": _signed_money(value, _fixed(value, 2, strip=False)),
                "m": gbp_millions(value), "m2": gbp_millions(value, 2),
                "million": gbp_millions(value, word=True), "k": gbp_nearest(value, 1000),
                "h": gbp_nearest(value, 100), "auto": gbp_auto(value)}
    if unit == RATIO:
        return {"pct": percent(value), "pct1": percent(value, 1), "pct0": percent(value, 0)}
    if unit == COUNT:
        return {"n": number(value, 0), "ordinal": ordinal(value)}
    return {"n": number(value), "n0": number(value, 0), "n1": number(value, 1), "plain": number_plain(value),
            "auto": number_auto(value), "words": quantity(value, unit)}


# The styles a diagram panel's label may take (config ``diagrams:``, ``style:``), each as the text prints
# the same figure.
PANEL_STYLES: dict[str, Callable[[float], str]] = {
    "gbp": gbp,
    "gbp_auto": gbp_auto,
    "number": number,
    "number_auto": number_auto,
}


def long_date(day: date | str) -> str:
    """A date as the report writes it: '1 December 2019' (an ISO string is read first)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.day} {day:%B %Y}"


def exact(value: float, unit: str) -> str:
    """A figure for checking, not for the paper: money to the penny, counts whole, ratios with their percentage."""
    if unit == MONEY:
        return f"£{value:,.2f}" if value >= 0 else f"-£{-value:,.2f}"
    if unit == COUNT:
        return f"{value:,.0f}"
    if unit == RATIO:
        return f"{value:.6f} ({value:.2%})"
    return f"{value:,.4f}".rstrip("0").rstrip(".") + f" ({unit})"


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" if items else ""
