"""Leaders' numbers as plain data, and the digest text built from them (no SQL here)."""

from dataclasses import dataclass
from datetime import date, datetime

from conversations.i18n import Translator
from conversations.plan import BY_ID

# Metrics of the yearly targets (QĐ 677 and local plans), as stored in the targets table.
ADULTS = "cdht_adults"  # share of adults (villages, residential groups) holding the title
STAFF = "cdht_staff"  # share of staff in learning units (agencies, schools, firms) holding it
DIGITAL = "digital_basic"  # share of title holders with digital skills
PROFICIENT = "digital_proficient"  # share of title holders proficient in digital skills
METRICS = tuple(BY_ID)  # every column of both programmes (conversations/plan.py)


@dataclass(frozen=True, slots=True)
class Counts:
    registered: int = 0
    assessed: int = 0  # all ten indicators answered this season
    submitted: int = 0  # sent for confirmation (also counted once confirmed or recognised)
    confirmed: int = 0  # confirmed by a leader (also counted once recognised)
    recognised: int = 0
    digital: int = 0  # recognised people with digital skills (basic or proficient)
    proficient: int = 0  # recognised people proficient in digital skills
    unreachable: int = 0  # people who blocked the bot


@dataclass(frozen=True)
class Target:
    metric: str
    value: float  # 0..1
    year: int  # the year the value was set for (this year, or the next milestone)
    set_by: str  # name of the organisation node whose target applies
    source: str | None = None  # the plan it comes from, e.g. the former district's plan


@dataclass(frozen=True)
class Share:
    part: int
    whole: int
    target: Target | None

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def gap(self) -> float:
        """How far below the target (0 when met or when there is no target)."""
        if self.target is None:
            return 0.0
        return max(0.0, self.target.value - (self.value or 0.0))


@dataclass(frozen=True)
class PlaceRow:
    """One village, residential group, unit (or commune, in a province digest)."""

    place_id: int | None
    name: str
    kind: str  # "village", "unit", "commune", or "other" for places typed by hand
    population: int | None  # adults or staff living/working there, when known
    counts: Counts
    share: Share  # recognised / (population, or registered when unknown), against its target
    # QĐ 387 records of the place (a commune's: summed), metric -> (done, total)
    facts: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class PersonRow:
    name: str
    birth_year: int | None
    place: str
    group: str
    total: int
    digital_level: str | None
    status: str
    submitted_at: datetime | None
    answered: int = 0  # indicators answered (for "what is left")


@dataclass(frozen=True)
class Digest:
    org_id: int
    org_name: str
    level: str  # "province", "commune", "village" or "unit"
    year: int
    as_of: datetime
    totals: Counts
    week_ago: Counts
    adults: Share
    staff: Share
    digital: Share
    proficient: Share
    rows: tuple[PlaceRow, ...]  # sorted: the furthest behind its target first
    recognised_people: tuple[PersonRow, ...] = ()
    pending_people: tuple[PersonRow, ...] = ()
    unreachable_people: tuple[str, ...] = ()  # "name (village)" of people who blocked the bot
    deadline: date | None = None  # the citizens' deadline of this season
    # The QĐ 387 titles and the association's columns, as recorded by leaders: metric id ->
    # done of total (households, clans, villages, units, people), against its target.
    facts: tuple[tuple[str, Share], ...] = ()
    started_people: tuple[PersonRow, ...] = ()  # started, not sent (or returned)
    parent_name: str | None = None  # the province of a commune
    previous: tuple[tuple[str, Share], ...] = ()  # every plan column's share last year
    report_date: date | None = None  # the report goes upward before this day
    # Households and clans kept by name and recognised this year: (village, metric, name).
    titled_names: tuple[tuple[str, str, str], ...] = ()


def plan_shares(digest: "Digest") -> dict[str, Share]:
    """Every plan column that has numbers, metric id -> Share (counted or entered)."""
    counted = {
        ADULTS: digest.adults,
        STAFF: digest.staff,
        DIGITAL: digest.digital,
        PROFICIENT: digest.proficient,
    }
    return {**counted, **dict(digest.facts)}


def by_lag(rows: list[PlaceRow]) -> tuple[PlaceRow, ...]:
    """Who lags most first: largest gap to target, then lowest share, then name."""
    return tuple(sorted(rows, key=lambda r: (-r.share.gap, r.share.value or 0.0, r.name)))


def percent(t: Translator, share: Share) -> str:
    value = share.value
    return "-" if value is None else t.percent(value)


def share_line(t: Translator, label: str, share: Share) -> str:
    line = f"{label}: {percent(t, share)} ({share.part}/{share.whole})"
    if share.target is not None:
        target = t.percent(share.target.value)
        line += " · " + t("target {year}: {value}", year=share.target.year, value=target)
    return line


def digest_text(t: Translator, digest: Digest, rows_shown: int = 10) -> str:
    totals, before = digest.totals, digest.week_ago
    lines = [
        t("Progress of {name}, {year}", name=digest.org_name, year=digest.year),
        t("As of {date}", date=t.date(digest.as_of)),
        *gap_lines(t, digest),
        *_countdown(t, digest),
        "",
        t("Registered: {n}", n=totals.registered)
        + _since(t, totals.registered, before.registered),
        t("Self-assessed: {n}", n=totals.assessed) + _since(t, totals.assessed, before.assessed),
        t("Sent: {n}", n=totals.submitted) + _since(t, totals.submitted, before.submitted),
        t("Confirmed: {n}", n=totals.confirmed) + _since(t, totals.confirmed, before.confirmed),
        t("Recognised: {n}", n=totals.recognised)
        + _since(t, totals.recognised, before.recognised),
        "",
        *[share_line(t, label, share) for label, share in _own_shares(t, digest)],
        share_line(t, t("Title holders with digital skills"), digest.digital),
        share_line(t, t("Title holders proficient in digital skills"), digest.proficient),
    ]
    lines += _fact_lines(t, digest)
    lines += unit_title_lines(t, digest.rows, rows_shown)
    if digest.rows:
        lines += ["", t("Furthest behind first:")]
        lines += [_row_line(t, row) for row in digest.rows[:rows_shown]]
        if len(digest.rows) > rows_shown:
            lines.append(t("… and {n} more in the Excel report.", n=len(digest.rows) - rows_shown))
    if totals.unreachable:
        lines += ["", t("{n} people blocked the bot: please visit them.", n=totals.unreachable)]
        lines += [f"• {who}" for who in digest.unreachable_people[:rows_shown]]
    return "\n".join(lines)


UNIT_TITLE_SHARE = 0.9  # TT 24/2023/TT-BGDĐT: ≥ 90% of an Đơn vị học tập's members are CDHT
CLOSE_TO_TITLE = 0.8  # our choice: "close" is at least 80% and not yet 90%


def members_short(part: int, whole: int, share: float = UNIT_TITLE_SHARE) -> int:
    """People still to be recognised for part/whole to reach the share (0 when reached)."""
    needed = -(-round(share * whole * 1000) // 1000)  # ceil, safe from 0.9 * 10 = 9.000001
    return max(0, needed - part)


def unit_title_lines(t: Translator, rows: tuple[PlaceRow, ...], shown: int = 10) -> list[str]:
    """Each unit's share of members recognised against the 90% an Đơn vị học tập needs
    (TT 24/2023), the closest first; units already there or close are marked."""
    units = [r for r in rows if r.kind == "unit" and r.share.whole]
    if not units:
        return []
    units.sort(key=lambda r: (members_short(r.share.part, r.share.whole), r.name))
    share = t.percent(UNIT_TITLE_SHARE)
    lines = ["", t("Units towards “Đơn vị học tập” ({share} of members recognised):", share=share)]
    for row in units[:shown]:
        short = members_short(row.share.part, row.share.whole)
        value = row.share.part / row.share.whole
        if short == 0:
            note = t("reached")
        elif value >= CLOSE_TO_TITLE:
            note = t("close: {n} more people", n=short)
        else:
            note = t("{n} more people", n=short)
        lines.append(
            f"• {row.name}: {percent(t, row.share)} ({row.share.part}/{row.share.whole}), {note}"
        )
    return lines


def _fact_lines(t: Translator, digest: Digest) -> list[str]:
    entered = [(metric, share) for metric, share in digest.facts if share.whole]
    if not entered:
        return []
    lines = ["", t("Titles and the association (entered by leaders):")]
    for metric, share in entered:
        lines.append(share_line(t, t(BY_ID[metric].label), share))
    return lines


def _own_shares(t: Translator, digest: Digest) -> list[tuple[str, Share]]:
    """The adults' and staff's shares a leader can act on: a village leader has no staff,
    a unit leader no villagers."""
    shares = []
    if digest.level != "unit":
        shares.append((t("Adults in villages with the title"), digest.adults))
    if digest.level != "village":
        shares.append((t("Staff in units with the title"), digest.staff))
    return shares


def gap_lines(t: Translator, digest: Digest) -> list[str]:
    """What the digest leads with: how many more people this year's target needs."""
    lines = []
    for label, share in _own_shares(t, digest):
        if share.target is None or not share.whole:
            continue
        short = members_short(share.part, share.whole, share.target.value)
        target = t.percent(share.target.value)
        if short:
            lines.append(
                t(
                    "{what}: {n} more people to reach the target {year} ({target}).",
                    what=label,
                    n=short,
                    year=share.target.year,
                    target=target,
                )
            )
        else:
            lines.append(
                t(
                    "{what}: target {year} ({target}) reached.",
                    what=label,
                    year=share.target.year,
                    target=target,
                )
            )
    return lines


def _countdown(t: Translator, digest: Digest) -> list[str]:
    """Days left to the citizens' deadline and to the report date (none once passed)."""
    today = digest.as_of.date()
    lines = []
    for day, label in (
        (digest.deadline, t("Citizens' deadline")),
        (digest.report_date, t("Report date")),
    ):
        if day is None:
            continue
        left = (day - today).days
        when = t("{n} days left", n=left) if left >= 0 else t("passed")
        lines.append(f"{label}: {t.date(day)} ({when})")
    return lines


def _since(t: Translator, now: int, before: int) -> str:
    change = now - before
    return f" ({'+' if change >= 0 else ''}{change} " + t("this week") + ")" if change else ""


def row_name(t: Translator, row: PlaceRow) -> str:
    """People whose village was typed by hand (not in the tree) are gathered in one row."""
    return row.name or t("Other places (typed by hand)")


def _row_line(t: Translator, row: PlaceRow) -> str:
    return f"• {row_name(t, row)}: {percent(t, row.share)} ({row.share.part}/{row.share.whole})"
