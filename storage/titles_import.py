"""The QĐ 387 titles and the association's numbers from a CSV file, for `cdht titles
import-csv` and for a leader's upload in chat: every line is checked first (storage/csv_text
parse_lines); one bad line stores nothing, and every problem is named with its line number,
translated where it is shown.

A line is a count (commune;place;metric;year;done;total, e.g. 85 of 120 households) or, with
a name, one household or clan kept by name (done 1: recognised that year). In chat the file
is read within the leader's area: the commune (and for a village leader the village) may be
left out, and a line elsewhere, or of a column the leader does not record, is refused."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import N_, ExplainedError
from conversations.plan import BY_ID, NAME_LIMIT, SINGLE, VILLAGE_ENTERS, check_fact, unit_name
from conversations.text import fold, whole_number
from storage.csv_text import parse_lines
from storage.models import OrgUnit
from storage.named_units import NameEntry, record_names
from storage.org_lookup import find_org
from storage.plan_facts import set_fact

COLUMNS = {
    "commune": ("commune", "xa", "xa phuong"),
    "place": ("place", "noi", "thon", "thon don vi", "thon, don vi"),
    "metric": ("metric", "loai", "danh hieu", "chi so"),
    "year": ("year", "nam"),
    "done": ("done", "dat", "so dat", "cong nhan"),
    "total": ("total", "tong", "tong so"),
    "name": ("name", "ten", "ten ho", "chu ho", "ho ten", "ten gia dinh", "ten dong ho"),
}
# Words people write for each column (folded), besides the metric ids themselves.
METRIC_WORDS = {
    "gia dinh": "households",
    "ho gia dinh": "households",
    "dong ho": "clans",
    "cong dong": "communities",
    "don vi": "units",
    "hoi vien tap huan": "members_trained",
    "quan triet": "members_briefed",
    "chu tich": "chairs_cltc",
    "can bo": "officers_cltc",
}
YES = ("1", "x", "co", "dat")
NO = ("", "0", "khong", "chua")


@dataclass(frozen=True)
class Scope:
    """A leader's area: their node (a province, commune, village or unit) and the columns
    they may record there."""

    root: OrgUnit
    metrics: frozenset[str]


@dataclass(frozen=True)
class FactsImport:
    stored: int  # lines stored
    errors: tuple[ExplainedError, ...]


@dataclass(frozen=True)
class _Count:
    node: OrgUnit
    year: int
    metric: str
    done: int
    total: int


async def import_facts(
    session: AsyncSession, text: str, now: datetime, scope: Scope | None = None
) -> FactsImport:
    """CSV lines commune;place;metric;year;done;total[;name] (Vietnamese headers too: xa,
    noi, loai, nam, dat, tong, ten), as Excel, Sheets or LibreOffice save them. Every line is
    checked first; one bad line stores nothing, and every problem is reported with its line
    number."""
    places = _Places(session, scope)

    async def parse(cells: Mapping[str, str]) -> _Count | NameEntry:
        return await _parse(places, cells, scope)

    optional = ("place", "total", "name", *(("commune",) if scope else ()))
    planned, errors = await parse_lines(text, COLUMNS, optional, parse)
    if not planned and not errors:
        errors.append(ExplainedError(N_("the file has no lines under its header")))
    if errors:
        return FactsImport(0, tuple(errors))
    for item in planned:
        if isinstance(item, _Count):
            await set_fact(session, item.node, item.year, item.metric, item.done, item.total, now)
    names = [item for item in planned if isinstance(item, NameEntry)]
    if names:
        await record_names(session, names, now)
    return FactsImport(len(planned), ())


async def _parse(
    places: "_Places", cells: Mapping[str, str], scope: Scope | None
) -> _Count | NameEntry:
    node = await places.place(cells.get("commune", ""), cells.get("place", ""))
    metric = _metric(cells["metric"])
    if scope is not None and metric not in scope.metrics:
        raise ExplainedError(N_("you cannot record “{value}”"), value=cells["metric"][:40])
    year = _number(cells["year"], N_("year"))
    if not 2000 <= year <= 2100:
        raise ExplainedError(N_("the year {year} is not from 2000 to 2100"), year=year)
    if cells.get("name"):
        return _named(node, year, metric, cells["name"], cells["done"])
    done = _number(cells["done"], N_("done"))
    given = cells.get("total", "")
    total = _number(given, N_("total")) if given else (1 if metric in SINGLE else -1)
    if total < 0:
        raise ExplainedError(N_("the total is empty"))
    _check(node, metric, done, total)
    return _Count(node, year, metric, done, total)


def _check(node: OrgUnit, metric: str, done: int, total: int) -> None:
    problem = check_fact(node.kind, metric, done, total)
    if problem is not None:
        raise ExplainedError(
            N_("{place}: {problem}"), place=node.name, problem=ExplainedError(problem)
        )


def _named(node: OrgUnit, year: int, metric: str, text: str, done: str) -> NameEntry:
    if metric not in VILLAGE_ENTERS:
        raise ExplainedError(N_("only households and clans are kept by name"))
    _check(node, metric, 0, 1)
    name = unit_name(text)
    if name is None:
        raise ExplainedError(
            N_("the name must have letters and at most {most} characters"), most=NAME_LIMIT
        )
    if fold(done) not in (*YES, *NO):
        raise ExplainedError(
            N_("done “{value}” must be 1 (recognised) or 0 for a named household or clan"),
            value=done[:20],
        )
    return NameEntry(node.id, metric, name, year, fold(done) in YES)


class _Places:
    """The communes, villages and units a file names, each looked up once (a file names
    the same few places on thousands of lines); a problem is remembered like a place."""

    def __init__(self, session: AsyncSession, scope: Scope | None) -> None:
        self.session, self.scope = session, scope
        self.found: dict[tuple[str, ...], OrgUnit | ExplainedError] = {}

    async def place(self, commune_text: str, place_text: str) -> OrgUnit:
        commune = await self._once((commune_text,), lambda: self._commune(commune_text))
        key = (commune_text, fold(place_text))
        return await self._once(key, lambda: self._place(commune, place_text))

    async def _once(self, key: tuple[str, ...], look: Callable[[], Awaitable[OrgUnit]]) -> OrgUnit:
        if key not in self.found:
            try:
                self.found[key] = await look()
            except ExplainedError as error:
                self.found[key] = error
        found = self.found[key]
        if isinstance(found, ExplainedError):
            raise found
        return found

    async def _commune(self, text: str) -> OrgUnit:
        root = self.scope.root if self.scope is not None else None
        if not text and root is not None:
            parent = await self.session.get(OrgUnit, root.parent_id) if root.parent_id else None
            commune = root if root.kind == "commune" else parent
            if commune is not None and commune.kind == "commune":
                return commune
        commune = await find_org(self.session, text, ("commune",))
        if root is not None and not _within(root, commune):
            raise ExplainedError(N_("“{name}” is not in your area"), name=commune.name)
        return commune

    async def _place(self, commune: OrgUnit, name: str) -> OrgUnit:
        scope = self.scope
        own = scope.root if scope is not None and scope.root.kind in ("village", "unit") else None
        if not name:
            return own or commune
        query = select(OrgUnit).where(
            OrgUnit.parent_id == commune.id, OrgUnit.search_key == fold(name)
        )
        found = (await self.session.execute(query)).scalar_one_or_none()
        if found is None:
            raise ExplainedError(
                N_("no village or unit named “{name}” in {commune}"),
                name=name[:60],
                commune=commune.name,
            )
        if own is not None and found.id != own.id:
            raise ExplainedError(N_("“{name}” is not in your area"), name=found.name)
        return found


def _within(root: OrgUnit, commune: OrgUnit) -> bool:
    """The commune is the leader's, holds the leader's village or unit, or is in the
    leader's province."""
    if root.kind == "province":
        return commune.parent_id == root.id
    return commune.id in (root.id, root.parent_id)


def _metric(text: str) -> str:
    if text.strip().lower() in BY_ID:
        return text.strip().lower()
    folded = fold(text)
    for words, metric in METRIC_WORDS.items():
        if folded.startswith(words):
            return metric
    raise ExplainedError(
        N_(
            "“{value}” is not a title or column: gia đình, dòng họ, cộng đồng, đơn vị, or one "
            "of {ids}"
        ),
        value=text[:40],
        ids=", ".join(BY_ID),
    )


def _number(text: str, field: str) -> int:
    """A count as written in a sheet ("1.250" is 1250): ExplainedError naming the column if not."""
    cleaned = text.replace(".", "").replace(" ", "")
    number = whole_number(cleaned, 9) if cleaned[:1].isdecimal() else None
    if number is None:
        raise ExplainedError(
            N_("{column} “{value}” is not a whole number"),
            column=ExplainedError(field),
            value=text[:20],
        )
    return number
