"""Counts SQL statements and commits an engine sends: a counter, not a clock, so a test can
put a ceiling on them and a bench can print them per update."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class SqlCounter:
    statements: int = 0
    commits: int = 0

    def attach(self, engine: AsyncEngine) -> "SqlCounter":
        """Count from now on every statement (an executemany counts once) and every commit
        on `engine`'s connections."""
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "commit", self._commit)
        return self

    def reset(self) -> None:
        self.statements = self.commits = 0

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _commit(self, *_: Any) -> None:
        self.commits += 1
