"""The columns of the plan's two roadmap tables, as metrics a target can be set on.

The district plan on QĐ 387/QĐ-TTg (25/3/2022, "Đẩy mạnh phong trào học tập suốt đời trong
gia đình, dòng họ, cộng đồng, đơn vị") and QĐ 677/QĐ-TTg (03/6/2022, "Xây dựng mô hình Công
dân học tập") sets a yearly share for each column below. What each share counts (people,
households, clans, villages or units) decides how a gap is said: "526 more people"."""

from collections.abc import Callable
from dataclasses import dataclass

from conversations.i18n import N_
from conversations.text import has_letter, whole_number

QD387 = "387"  # group titles and the association's own work
QD677 = "677"  # Learning Citizens


@dataclass(frozen=True)
class Metric:
    id: str
    programme: str  # QD387 or QD677
    counts: str  # what the share is made of: people, households, clans, communities, units
    label: str  # English msgid; translate with t(label)
    # The plan's own column heading, as printed (Vietnamese, not translated); None when the
    # plan names the share only in its text, without a column of its own.
    column: str | None
    entered: bool = False  # a yearly number leaders enter (not counted from records)

    def heading(self, t: Callable[[str], str]) -> str:
        """What a report calls this metric: the plan's column, else the translated label."""
        return self.column if self.column is not None else t(self.label)


PLAN_METRICS = (
    Metric("households", QD387, "households", N_("Learning families"), "Gia đình học tập"),
    Metric("clans", QD387, "clans", N_("Learning clans"), "Dòng họ học tập"),
    Metric("communities", QD387, "communities", N_("Learning communities"), "Cộng đồng học tập"),
    Metric("units", QD387, "units", N_("Learning units"), "Đơn vị học tập"),
    Metric(
        "chairs_cltc",
        QD387,
        "people",
        N_("Commune association chairs managing the community learning centre"),
        "Chủ tịch, Phó chủ tịch Hội khuyến học cấp xã tham gia quản lý TT HTCD",
        entered=True,
    ),
    Metric(
        "officers_cltc",
        QD387,
        "people",
        N_("Association officers taking part in the community learning centre"),
        "Cán bộ khuyến học tham gia TT HTCD",
        entered=True,
    ),
    Metric(
        "members_briefed",
        QD387,
        "people",
        N_("Officers and members briefed on the documents"),
        "Cán bộ, hội viên quán triệt văn kiện",
        entered=True,
    ),
    Metric(
        "members_trained",
        QD677,
        "people",
        N_("Members trained on the Learning Citizen criteria"),
        "Tỷ lệ hội viên được tập huấn quán triệt về công dân học tập",
        entered=True,
    ),
    Metric(
        "cdht_adults",
        QD677,
        "people",
        N_("Adults in villages with the title"),
        "Tỷ lệ trong gia đình, dòng họ cộng đồng học tập",
    ),
    Metric(
        "cdht_staff",
        QD677,
        "people",
        N_("Staff in units with the title"),
        "Tỷ lệ trong đơn vị học tập",
    ),
    Metric(
        "digital_basic",
        QD677,
        "people",
        N_("Title holders with digital skills"),
        "Tỷ lệ công dân đạt kỹ năng số",
    ),
    Metric(
        "digital_proficient",
        QD677,
        "people",
        N_("Title holders proficient in digital skills"),
        None,  # the plan's text asks for it; its tables have no column
    ),
)
BY_ID = {metric.id: metric for metric in PLAN_METRICS}
ENTERED = tuple(metric.id for metric in PLAN_METRICS if metric.entered)


def programme_metrics(programme: str) -> tuple[Metric, ...]:
    """The plan's columns of one programme, in the order the plan prints them."""
    return tuple(metric for metric in PLAN_METRICS if metric.programme == programme)


# Which facts a node carries: a village counts its households and clans and may itself be a
# Cộng đồng học tập; a unit may be an Đơn vị học tập; a commune (or province) association
# enters its own columns. Titles on a village or unit are a total of 1 (recognised or not).
FACTS_ON = {
    "village": ("households", "clans", "communities"),
    "unit": ("units",),
    "commune": ENTERED,
    "province": ENTERED,
}
# A typed count has at most this many digits: far above any commune's numbers, and within
# the database's 32-bit integer columns.
PAIR_DIGITS = 9
SINGLE = frozenset({"communities", "units"})  # the node's own title: total 1
VILLAGE_ENTERS = frozenset({"households", "clans"})  # what a village leader records himself


def check_fact(node_kind: str, metric: str, done: int, total: int) -> str | None:
    """Why (done of total) cannot be stored for this metric on this kind of node, or None.
    Messages are English msgids for t()."""
    if metric not in FACTS_ON.get(node_kind, ()):
        return N_("This number is not kept for this place.")
    if done < 0 or total < 0:
        return N_("Numbers cannot be negative.")
    if done > total:
        return N_("More recognised than there are: check the two numbers.")
    if metric in SINGLE and total != 1:
        return N_("A village or unit is one title: 1 of 1, or 0 of 1.")
    return None


def parse_pair(text: str) -> tuple[int, int] | None:
    """ "85/120", "85 120", "85 / 120" -> (85, 120): recognised (or done) of the total, in
    digits of any script; None for anything else, "1²/5" or a count of more than
    PAIR_DIGITS digits (too big for the database) included."""
    parts = [p for p in text.replace("/", " ").replace(";", " ").replace(",", " ").split() if p]
    numbers = [whole_number(p, PAIR_DIGITS) if p.isdecimal() else None for p in parts]
    if len(numbers) != 2 or numbers[0] is None or numbers[1] is None:
        return None
    return numbers[0], numbers[1]


NAME_LIMIT = 100  # characters of a household's or clan's name


def unit_name(text: str) -> str | None:
    """A household's or clan's name as kept (spaces tidied: "Nguyễn Văn An", "Họ Trần"), or
    None when it has no letter or is longer than NAME_LIMIT."""
    tidy = " ".join(text.split())
    return tidy if has_letter(tidy) and len(tidy) <= NAME_LIMIT else None
