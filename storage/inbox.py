"""The inbox: the one durable record of every platform update, from arrival to answer.

An update is written before the platform is told it arrived (`keep`), ticked off in the
same transaction that stores the person's answer (`handled`, which also holds the replies),
and the replies are marked delivered once sent (`delivered`). A crash anywhere in between
leaves a row that says what is still to do."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from conversations.events import Choice, OutboundMessage
from storage.db import on_postgresql
from storage.models import InboxUpdate

Payload = dict[str, Any]


class OpenRow(NamedTuple):
    """An inbox row with work left (open_rows)."""

    update_id: str
    payload: Payload
    replies: list[Payload] | None
    done_at: datetime | None


async def keep(
    session: AsyncSession,
    channel: str,
    updates: Sequence[tuple[str, Payload]],
    now: datetime,
    people: Mapping[str, str] | None = None,
) -> list[str]:
    """Write the updates down in one statement; returns the ids that were new. `people` maps
    an update id to who sent it (the user_ref its updates are claimed by). A redelivered or
    concurrently posted duplicate is ignored by the database (ON CONFLICT DO NOTHING), so two
    requests carrying the same update never fail each other."""
    if not updates:
        return []
    people = people or {}
    rows = [
        {
            "channel": channel,
            "update_id": update_id,
            "payload": payload,
            "received_at": now,
            "user_ref": people.get(update_id),
        }
        for update_id, payload in updates
    ]
    statement = _KEEP[on_postgresql(session)]
    return list((await session.execute(statement, rows)).scalars())


async def handled(
    session: AsyncSession,
    channel: str,
    update_id: str,
    user_ref: str,
    replies: Sequence[OutboundMessage],
    now: datetime,
) -> bool:
    """Tick the update off with the replies to send to `user_ref`; False when it was handled
    before (then the caller's transaction must not commit its changes)."""
    values: Payload = {
        "b_channel": channel,
        "b_update_id": update_id,
        "done_at": now,
        "payload": {},
        "user_ref": user_ref,
    }
    if replies:
        values["replies"] = [_reply_json(r) for r in replies]
    result = await session.execute(_HANDLED if replies else _HANDLED_SILENT, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delivered(session: AsyncSession, keys: Sequence[tuple[str, str]], now: datetime) -> None:
    """The replies to these (channel, update_id) were sent, or handed to the outbox: one
    statement per channel in the batch. The ids go in as `channel = ? AND update_id IN
    (...)`, which SQLite looks up by the unique index; a row-value IN (VALUES ...) made it
    scan the whole inbox."""
    by_channel: dict[str, list[str]] = {}
    for channel, update_id in keys:
        by_channel.setdefault(channel, []).append(update_id)
    for channel, ids in by_channel.items():
        await session.execute(_DELIVERED, {"b_channel": channel, "b_ids": ids, "replied_at": now})


async def open_rows(
    db: AsyncSession | AsyncConnection,
    channel: str,
    user_ref: str,
    unsent_since: datetime | None,
) -> list[OpenRow]:
    """One person's rows with work left, oldest first, in one SELECT: updates not handled
    (`done_at` None) and, when `unsent_since` is given, updates handled since then whose
    replies were stored but not marked sent. Rows have update_id, payload, replies and
    done_at. Runs on a session or on the connection that holds the person's claim."""
    values: Payload = {"b_channel": channel, "b_user_ref": user_ref}
    if unsent_since is not None:
        values["b_since"] = unsent_since
    query = _OPEN_ROWS[unsent_since is not None]
    return [OpenRow(*row) for row in await db.execute(query, values)]


async def waiting_people(
    session: AsyncSession, kept_before: datetime, limit: int = 1000
) -> list[tuple[str, str]]:
    """(channel, user_ref) of people with an update kept by `kept_before` and still not
    handled: left by a worker that died, or not reached yet by a busy one."""
    query = (
        select(InboxUpdate.channel, InboxUpdate.user_ref)
        .where(
            InboxUpdate.done_at.is_(None),
            InboxUpdate.received_at <= kept_before,
            InboxUpdate.user_ref.is_not(None),
        )
        .group_by(InboxUpdate.channel, InboxUpdate.user_ref)
        .order_by(func.min(InboxUpdate.id))
        .limit(limit)
    )
    return [(channel, user_ref or "") for channel, user_ref in await session.execute(query)]


async def unsent_people(
    session: AsyncSession, since: datetime, before: datetime, limit: int = 1000
) -> list[tuple[str, str]]:
    """(channel, user_ref) of people with replies stored from `since` to `before` and
    not marked sent: their worker died between answering and sending."""
    query = (
        select(InboxUpdate.channel, InboxUpdate.user_ref)
        .where(
            InboxUpdate.replies.is_not(None),
            InboxUpdate.done_at >= since,
            InboxUpdate.done_at <= before,
            InboxUpdate.user_ref.is_not(None),
        )
        .group_by(InboxUpdate.channel, InboxUpdate.user_ref)
        .limit(limit)
    )
    return [(channel, user_ref or "") for channel, user_ref in await session.execute(query)]


async def unclaimed(session: AsyncSession) -> Sequence[InboxUpdate]:
    """Updates kept, not handled, whose sender is not recorded (kept by an older version)."""
    query = select(InboxUpdate).where(
        InboxUpdate.done_at.is_(None), InboxUpdate.user_ref.is_(None)
    )
    return (await session.execute(query)).scalars().all()


async def set_senders(session: AsyncSession, senders: Mapping[int, str]) -> None:
    """Record who sent each row (row id -> user_ref), in one statement (an ORM bulk
    UPDATE by primary key)."""
    if senders:
        rows = [{"id": row_id, "user_ref": user_ref} for row_id, user_ref in senders.items()]
        await session.execute(update(InboxUpdate), rows)


async def prune(session: AsyncSession, before: datetime) -> None:
    """Handled updates are kept a month (the record that stops a late redelivery), then
    dropped."""
    await session.execute(
        delete(InboxUpdate).where(InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < before)
    )


def stored_replies(replies: Sequence[Payload] | None) -> list[OutboundMessage]:
    """The replies as `handled` stored them (an inbox row's `replies`)."""
    return [_reply_from_json(item) for item in replies or []]


def _reply_json(message: OutboundMessage) -> Payload:
    return {
        "text": message.text,
        "choices": [[c.id, c.label, c.nav] for c in message.choices],
        "document": message.document,
        "image": message.image,
        "error": message.error,
    }


def _reply_from_json(item: Payload) -> OutboundMessage:
    choices = tuple(Choice(str(i), str(label), bool(nav)) for i, label, nav in item["choices"])
    return OutboundMessage(
        str(item["text"]), choices, item.get("document"), item.get("image"), bool(item["error"])
    )


# Statements built once (on the path of every update); Core on the table, not the ORM's
# bulk UPDATE, which costs more than the statement.
_TABLE = cast(Table, InboxUpdate.__table__)
_THIS = (_TABLE.c.channel == bindparam("b_channel")) & (
    _TABLE.c.update_id == bindparam("b_update_id")
)
_HANDLED = update(_TABLE).where(_THIS, _TABLE.c.done_at.is_(None))
# No replies: SQL NULL (a None parameter would be stored as the JSON text 'null').
_HANDLED_SILENT = _HANDLED.values(replies=null())
_DELIVERED = (
    update(_TABLE)
    .where(
        _TABLE.c.channel == bindparam("b_channel"),
        _TABLE.c.update_id.in_(bindparam("b_ids", expanding=True)),
    )
    .values(replies=null())
)
_LEFT: ColumnElement[bool] = _TABLE.c.done_at.is_(None)
_UNSENT = _TABLE.c.replies.is_not(None) & (_TABLE.c.done_at >= bindparam("b_since"))
# Built once: on the path of every update on PostgreSQL (a person's rows, read by the holder).
_OPEN_ROWS = {
    unsent: select(_TABLE.c.update_id, _TABLE.c.payload, _TABLE.c.replies, _TABLE.c.done_at)
    .where(
        _TABLE.c.channel == bindparam("b_channel"),
        _TABLE.c.user_ref == bindparam("b_user_ref"),
        _LEFT | _UNSENT if unsent else _LEFT,
    )
    .order_by(_TABLE.c.id)
    for unsent in (True, False)
}
_KEEP = {
    postgres: insert(_TABLE)
    .on_conflict_do_nothing(index_elements=["channel", "update_id"])
    .returning(_TABLE.c.update_id)
    for postgres, insert in ((True, pg_insert), (False, sqlite_insert))
}
