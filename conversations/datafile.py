"""A reader over parsed TOML that names the file, item and field in every error."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("vi", "en")


class QuestionnaireError(ValueError):
    """A questionnaire file is broken; the message names file, item and field."""


@dataclass(frozen=True)
class LocalText:
    vi: str
    en: str

    def __call__(self, locale: str) -> str:
        return self.en if locale == "en" else self.vi


@dataclass(frozen=True)
class Node:
    """One table of the file, with the path that leads to it."""

    file: str
    path: str
    raw: Mapping[str, Any]

    def fail(self, key: str, problem: str) -> QuestionnaireError:
        where = f"{self.path}.{key}" if self.path else key
        return QuestionnaireError(f"{self.file}: {where}: {problem}")

    def value(self, key: str, kind: type) -> Any:
        if key not in self.raw:
            raise self.fail(key, "missing")
        found = self.raw[key]
        if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
            raise self.fail(key, f"expected {kind.__name__}, found {type(found).__name__}")
        return found

    def string(self, key: str) -> str:
        found: str = self.value(key, str)
        if not found.strip():
            raise self.fail(key, "empty")
        return found

    def integer(self, key: str, low: int, high: int) -> int:
        found: int = self.value(key, int)
        if not low <= found <= high:
            raise self.fail(key, f"{found} is outside {low}..{high}")
        return found

    def child(self, key: str) -> "Node":
        return Node(self.file, self._join(key), self.value(key, dict))

    def children(self, key: str) -> list["Node"]:
        items = self.value(key, list)
        nodes = []
        for index, item in enumerate(items):
            label = f"{key}[{index}]"
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                label += f" (id '{item['id']}')"
            if not isinstance(item, dict):
                raise self.fail(label, "expected a table")
            nodes.append(Node(self.file, self._join(label), item))
        return nodes

    def text(self, key: str) -> LocalText:
        table = self.child(key)
        return LocalText(**{lang: table.string(lang) for lang in LANGUAGES})

    def strings(self, key: str) -> tuple[str, ...]:
        items = self.value(key, list)
        if not all(isinstance(item, str) for item in items):
            raise self.fail(key, "expected a list of strings")
        return tuple(items)

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key


def unique_ids(parent: Node, key: str, nodes: list[Node]) -> None:
    seen: set[str] = set()
    for node in nodes:
        item_id = node.string("id")
        if item_id in seen:
            raise parent.fail(key, f"duplicate id '{item_id}'")
        seen.add(item_id)
