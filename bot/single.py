"""SQLite serves one `cdht run`: a second process on the same file is refused at once.

SQLite has no row locks or advisory locks to share people, polling and planning between
processes, so several workers need PostgreSQL. The guard is an exclusive flock(2) on a file
beside the database, which the kernel releases when the process ends, however it ends."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from conversations.i18n import N_, ExplainedError


class AlreadyRunningError(ExplainedError):
    """Another `cdht run` uses this SQLite file."""


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


@contextmanager
def only_process(database_url: str) -> Iterator[None]:
    """Hold the file's run lock while inside; raises AlreadyRunningError when another
    process holds it. Does nothing on PostgreSQL."""
    path = sqlite_file(database_url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with Path(f"{path}.run-lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunningError(
                N_(
                    "another cdht run is using {path}. SQLite serves one process; for several"
                    " workers use PostgreSQL (README: Several workers)."
                ),
                path=str(path),
            ) from None
        yield
