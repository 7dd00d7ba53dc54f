"""Long lists in pages. The page is part of the step ("place:p2", "lead_links:p1"), so a
button from another page is recognised as old; « Previous and Next » are options of their
own: buttons on Telegram, numbered lines on Zalo and the console, words to type anywhere."""

from collections.abc import Sequence
from dataclasses import dataclass

from conversations.i18n import Translator

PAGE_SIZE = 20
PREVIOUS = "page-"
NEXT = "page+"
Option = tuple[str, str]


@dataclass(frozen=True)
class Page:
    options: list[Option]  # this page's options, then « Previous / Next » where there are any
    number: int  # 0-based, within range
    count: int

    def under(self, t: Translator, question: str) -> str:
        """The question, then "Page 2/3." when there is more than one page."""
        if self.count < 2:
            return question
        page = t("Page {n}/{count}.", n=self.number + 1, count=self.count)
        return f"{question} {page}"


def split_page(param: str) -> tuple[str, int]:
    """A step parameter and its page: "village_leader.p2" -> ("village_leader", 2),
    "p2" -> ("", 2), "communities" -> ("communities", 0), "12" -> ("12", 0)."""
    head, _, tail = param.rpartition(".")
    if tail[:1] == "p" and tail[1:].isdigit() and len(tail) < 6:
        return head, int(tail[1:])
    return param, 0


def with_page(base: str, page: int) -> str:
    """The parameter for `page` of a list (split_page's inverse); page 0 needs none."""
    if page <= 0:
        return base
    return f"{base}.p{page}" if base else f"p{page}"


def paged_step(step_name: str, base: str, page: int) -> str:
    """The step key showing `page` of a list: ("place", "", 2) -> "place:p2"."""
    param = with_page(base, page)
    return f"{step_name}:{param}" if param else step_name


def page_of(t: Translator, options: Sequence[Option], page: int, size: int = PAGE_SIZE) -> Page:
    """Options `page * size` onwards, at most `size`, with the page turns they need."""
    count = max(1, -(-len(options) // size))
    number = min(max(page, 0), count - 1)
    shown = list(options[number * size : (number + 1) * size])
    if number > 0:
        shown.append((PREVIOUS, t("« Previous page")))
    if number < count - 1:
        shown.append((NEXT, t("Next page »")))
    return Page(shown, number, count)


def turned(value: str, page: int) -> int | None:
    """The page a tapped page turn leads to, or None when `value` is no page turn."""
    return {PREVIOUS: page - 1, NEXT: page + 1}.get(value)
