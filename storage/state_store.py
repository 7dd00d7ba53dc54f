"""A person's whole UserState: read in one statement, written back as a diff.

Every event loads the state and saves it once, so this is the path of every tap. One SELECT
gives one row: the person, their conversation, their commune's label, the latest assessment
and its answers (as a JSON array); a save writes only the rows and columns that changed, so
an answer is one INSERT and nothing is deleted and written again. Statements are
SQLAlchemy Core, built once, on the session's connection: building a statement, or the ORM's
flush, costs more than running it on SQLite (issue 13)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from conversations.events import InboundEvent
from conversations.model import Criteria, DigitalCheck
from conversations.scoring import digital_level, is_recognised
from conversations.state import Assessment, Profile, Status, UserState
from storage.models import (
    AnswerRow,
    AssessmentRow,
    ConsentRecord,
    Conversation,
    NamedUnit,
    OrgUnit,
    Person,
)

PEOPLE = cast(Table, Person.__table__)
CONVERSATIONS = cast(Table, Conversation.__table__)
ASSESSMENTS = cast(Table, AssessmentRow.__table__)
ANSWERS = cast(Table, AnswerRow.__table__)
CONSENTS = cast(Table, ConsentRecord.__table__)
COMMUNE = cast(Table, OrgUnit.__table__).alias("commune")
PROVINCE = cast(Table, OrgUnit.__table__).alias("province")
HOUSEHOLD = cast(Table, NamedUnit.__table__).alias("household")

# The person's columns the state carries (UserState.locale and Profile).
PROFILE = (
    "locale",
    "name",
    "birth_year",
    "commune_id",
    "place_id",
    "place_name",
    "household_id",
    "target_group",
    "consent_at",
    "consent_version",
    "withdrawn_at",
)
# The assessment's columns a save may write; status and its companions only when changed.
FIGURES = (
    "questionnaire",
    "target_group",
    "total",
    "answered",
    "recognised",
    "digital_level",
    "digital_certificate",
    "started_at",
)
DECISION = ("status", "submitted_at", "return_reason", "completed_at")
# An answer as stored: (score, choice, note).
Answer = tuple[int | None, str | None, str | None]


@dataclass(frozen=True)
class Stored:
    """What load() read: the rows as they are, for save() to compare with."""

    person_id: int
    person: Mapping[str, Any]
    unreachable: bool
    conversation: Mapping[str, Any] | None
    commune_label: str | None
    household_name: str | None
    assessment: Mapping[str, Any] | None
    answers: Mapping[str, Answer]


@dataclass
class StateStore:
    """Loads and saves a person's whole UserState across the normalised tables. Takes the
    unit of work's session and never commits."""

    session: AsyncSession
    criteria: Criteria
    digital: DigitalCheck
    # What load() read, by (channel, user_ref): save() writes the difference from it.
    _stored: dict[tuple[str, str], Stored] = field(default_factory=dict)

    async def load(self, channel: str, user_ref: str) -> UserState | None:
        """The person's state, or None for someone new; loading it also marks them
        reachable, since they just wrote."""
        stored = await self._read(channel, user_ref)
        if stored is None:
            return None
        if stored.unreachable:
            await (await self._connection()).execute(REACHABLE, {"b_id": stored.person_id})
        return _state(stored)

    async def save(self, channel: str, user_ref: str, state: UserState, now: datetime) -> None:
        """Write what differs between `state` and the stored rows (read now if load() was
        not called in this unit of work). An erased person's state is not written back."""
        if state.erased:
            return  # the person's data was erased in this unit of work: keep nothing
        await self.session.flush()  # rows the ORM added here (a leader's person) first
        before = self._stored.pop((channel, user_ref), None) or await self._read(
            channel, user_ref, remember=False
        )
        connection = await self._connection()
        person_id = await _save_person(connection, channel, user_ref, before, state, now)
        await _save_conversation(connection, person_id, before, state, now)
        writer = _AssessmentWriter(connection, self.criteria, self.digital, now)
        await writer.save(person_id, before, state.assessment)

    async def exists(self, event: InboundEvent) -> bool:
        """Whether the person has a row (the engine may have just added a leader's)."""
        await self.session.flush()
        key = {"b_channel": event.channel, "b_user_ref": event.user_ref}
        return (await (await self._connection()).scalar(PERSON_ID, key)) is not None

    async def _connection(self) -> AsyncConnection:
        return await self.session.connection()

    async def _read(self, channel: str, user_ref: str, remember: bool = True) -> Stored | None:
        key = {"b_channel": channel, "b_user_ref": user_ref}
        connection = await self._connection()
        query = STATE[connection.dialect.name == "postgresql"]
        row = (await connection.execute(query, key)).mappings().first()
        if row is None:
            return None
        stored = _stored(row)
        if remember:
            self._stored[(channel, user_ref)] = stored
        return stored


def _state_query(postgresql: bool) -> Any:
    """One row: the person, conversation, commune label, latest assessment, and its answers
    aggregated as a JSON array of [item, score, choice, note] (joined as rows, the answers
    would repeat and decode every other column once per answer)."""
    seasons = ASSESSMENTS.alias("seasons")
    latest = (
        select(func.max(seasons.c.season))
        .where(seasons.c.person_id == PEOPLE.c.id)
        .correlate(PEOPLE)
        .scalar_subquery()
    )
    joined = (
        PEOPLE.outerjoin(CONVERSATIONS, CONVERSATIONS.c.person_id == PEOPLE.c.id)
        .outerjoin(COMMUNE, COMMUNE.c.id == PEOPLE.c.commune_id)
        .outerjoin(PROVINCE, PROVINCE.c.id == COMMUNE.c.parent_id)
        .outerjoin(HOUSEHOLD, HOUSEHOLD.c.id == PEOPLE.c.household_id)
        .outerjoin(
            ASSESSMENTS,
            and_(ASSESSMENTS.c.person_id == PEOPLE.c.id, ASSESSMENTS.c.season == latest),
        )
    )
    answer = (ANSWERS.c.item_id, ANSWERS.c.score, ANSWERS.c.choice, ANSWERS.c.note)
    aggregate = (
        func.json_agg(func.json_build_array(*answer))
        if postgresql
        else func.json_group_array(func.json_array(*answer))
    )
    answers = (
        select(type_coerce(aggregate, JSON))
        .where(ANSWERS.c.assessment_id == ASSESSMENTS.c.id)
        .correlate(ASSESSMENTS)
        .scalar_subquery()
    )
    query = select(
        PEOPLE.c.id.label("person_id"),
        PEOPLE.c.unreachable_at,
        *(PEOPLE.c[name].label(f"p_{name}") for name in PROFILE),
        CONVERSATIONS.c.person_id.label("c_person_id"),
        CONVERSATIONS.c.step.label("c_step"),
        CONVERSATIONS.c.scratch.label("c_scratch"),
        COMMUNE.c.name.label("commune"),
        PROVINCE.c.name.label("province"),
        HOUSEHOLD.c.name.label("household"),
        *(ASSESSMENTS.c[name].label(f"a_{name}") for name in ("id", "season", *FIGURES)),
        *(ASSESSMENTS.c[name].label(f"a_{name}") for name in DECISION),
        answers.label("answers"),
    ).select_from(joined)
    return query.where(
        PEOPLE.c.channel == bindparam("b_channel"), PEOPLE.c.user_ref == bindparam("b_user_ref")
    )


# Statements built once: building and hashing one costs more than running it on SQLite.
# An UPDATE without .values() sets the columns given at execution (only those that changed).
STATE = {False: _state_query(postgresql=False), True: _state_query(postgresql=True)}
PERSON_ID = select(PEOPLE.c.id).where(
    PEOPLE.c.channel == bindparam("b_channel"), PEOPLE.c.user_ref == bindparam("b_user_ref")
)
REACHABLE = update(PEOPLE).where(PEOPLE.c.id == bindparam("b_id")).values(unreachable_at=None)
ADD_PERSON = insert(PEOPLE).returning(PEOPLE.c.id)
CHANGE_PERSON = update(PEOPLE).where(PEOPLE.c.id == bindparam("b_id"))
ADD_CONSENT = insert(CONSENTS)
ADD_CONVERSATION = insert(CONVERSATIONS)
CHANGE_CONVERSATION = update(CONVERSATIONS).where(CONVERSATIONS.c.person_id == bindparam("b_id"))
ADD_ASSESSMENT = insert(ASSESSMENTS).returning(ASSESSMENTS.c.id)
CHANGE_ASSESSMENT = update(ASSESSMENTS).where(ASSESSMENTS.c.id == bindparam("b_id"))
DROP_DRAFTS = delete(ASSESSMENTS).where(
    ASSESSMENTS.c.person_id == bindparam("b_id"), ASSESSMENTS.c.status == Status.DRAFT.value
)
SEASON = select(ASSESSMENTS).where(
    ASSESSMENTS.c.person_id == bindparam("b_id"), ASSESSMENTS.c.season == bindparam("b_season")
)
SEASON_ANSWERS = select(ANSWERS).where(ANSWERS.c.assessment_id == bindparam("b_id"))
ADD_ANSWERS = insert(ANSWERS)
DROP_ANSWERS = delete(ANSWERS).where(
    ANSWERS.c.assessment_id == bindparam("b_id"),
    ANSWERS.c.item_id.in_(bindparam("b_items", expanding=True)),
)


def _stored(first: RowMapping) -> Stored:
    assessment = _prefixed(first, "a_") if first["a_id"] is not None else None
    answers: dict[str, Answer] = {
        item: (score, choice, note) for item, score, choice, note in first["answers"] or ()
    }
    label = first["commune"]
    if label is not None and first["province"] is not None:
        label = f"{label}, {first['province']}"
    return Stored(
        person_id=first["person_id"],
        person=_prefixed(first, "p_"),
        unreachable=first["unreachable_at"] is not None,
        conversation=_prefixed(first, "c_") if first["c_person_id"] is not None else None,
        commune_label=label,
        household_name=first["household"],
        assessment=assessment,
        answers=answers,
    )


def _prefixed(row: RowMapping, prefix: str) -> dict[str, Any]:
    return {str(k)[len(prefix) :]: v for k, v in row.items() if str(k).startswith(prefix)}


def _state(stored: Stored) -> UserState:
    person, conversation = stored.person, stored.conversation
    scratch: dict[str, Any] = conversation["scratch"] if conversation else {}
    return UserState(
        locale=person["locale"],
        step=conversation["step"] if conversation else "new",
        profile=Profile(
            name=person["name"],
            birth_year=person["birth_year"],
            commune_id=person["commune_id"],
            commune_name=stored.commune_label,
            place_id=person["place_id"],
            place_name=person["place_name"],
            household_id=person["household_id"] if stored.household_name is not None else None,
            household_name=stored.household_name,
            group=person["target_group"],
            consent_at=person["consent_at"],
            consent_version=person["consent_version"],
            withdrawn_at=person["withdrawn_at"],
        ),
        assessment=_assessment(stored),
        candidates=tuple(scratch.get("candidates", ())),
        proposed_group=scratch.get("proposed_group"),
        return_to=scratch.get("return_to"),
        resume_step=scratch.get("resume_step"),
        preset=tuple(scratch.get("preset", ())),
        acting=scratch.get("acting"),
        citizen_step=scratch.get("citizen_step"),
    )


def _assessment(stored: Stored) -> Assessment | None:
    row = stored.assessment
    if row is None:
        return None
    scores, notes, digital = {}, {}, {}
    for item_id, (score, choice, note) in stored.answers.items():
        if score is not None:
            scores[item_id] = score
        if note:
            notes[item_id] = note
        if choice is not None:
            digital[item_id] = choice
    return Assessment(
        season=row["season"],
        questionnaire=row["questionnaire"],
        group=row["target_group"],
        scores=scores,
        notes=notes,
        digital=digital,
        certified=bool(row["digital_certificate"]),
        status=Status(row["status"]),
        started_at=row["started_at"],
        submitted_at=row["submitted_at"],
        return_reason=row["return_reason"],
    )


async def _save_person(
    connection: AsyncConnection,
    channel: str,
    user_ref: str,
    before: Stored | None,
    state: UserState,
    now: datetime,
) -> int:
    """The person's row, inserted or updated where it differs; returns its id. A change of
    consent is recorded as proof (Law 91/2025/QH15): which text, when, on which channel."""
    values = _person_values(state)
    if before is None:
        row = {"channel": channel, "user_ref": user_ref, **values}
        added = await connection.execute(ADD_PERSON, {**row, "created_at": now, "updated_at": now})
        person_id = int(added.scalar_one())
        consent_before = None
    else:
        person_id, consent_before = before.person_id, before.person["consent_at"]
        changed = _changed(before.person, values)
        if changed:
            await connection.execute(
                CHANGE_PERSON, {"b_id": person_id, **changed, "updated_at": now}
            )
    if consent_before != values["consent_at"]:
        consent = values["consent_at"]
        record = {
            "person_id": person_id,
            "action": "given" if consent is not None else "withdrawn",
            "version": values["consent_version"],
            "channel": channel,
            "at": consent if consent is not None else now,
        }
        await connection.execute(ADD_CONSENT, record)
    return person_id


def _person_values(state: UserState) -> dict[str, Any]:
    profile = state.profile
    return {
        "locale": state.locale,
        "name": profile.name,
        "birth_year": profile.birth_year,
        "commune_id": profile.commune_id,
        "place_id": profile.place_id,
        "place_name": profile.place_name,
        "household_id": profile.household_id,
        "target_group": profile.group,
        "consent_at": profile.consent_at,
        "consent_version": profile.consent_version,
        "withdrawn_at": profile.withdrawn_at,
    }


async def _save_conversation(
    connection: AsyncConnection,
    person_id: int,
    before: Stored | None,
    state: UserState,
    now: datetime,
) -> None:
    values = {
        "step": state.step,
        "scratch": {
            "candidates": list(state.candidates),
            "proposed_group": state.proposed_group,
            "return_to": state.return_to,
            "resume_step": state.resume_step,
            "preset": list(state.preset),
            "acting": state.acting,
            "citizen_step": state.citizen_step,
        },
    }
    stored = before.conversation if before is not None else None
    if stored is None:
        await connection.execute(
            ADD_CONVERSATION, {"person_id": person_id, **values, "updated_at": now}
        )
        return
    changed = _changed(stored, values)
    if changed:
        await connection.execute(
            CHANGE_CONVERSATION, {"b_id": person_id, **changed, "updated_at": now}
        )


@dataclass
class _AssessmentWriter:
    """The assessment row and its answers, written as a difference from what was read."""

    connection: AsyncConnection
    criteria: Criteria
    digital: DigitalCheck
    now: datetime

    async def save(
        self, person_id: int, before: Stored | None, assessment: Assessment | None
    ) -> None:
        row = before.assessment if before is not None else None
        answers = before.answers if before is not None else {}
        if assessment is None:
            if row is not None:  # a cancelled draft is deleted; sent ones stay as history
                await self.connection.execute(DROP_DRAFTS, {"b_id": person_id})
            return
        if row is not None and row["season"] != assessment.season:
            row, answers = await self._season(person_id, assessment.season)
        values = self._values(row, assessment)
        if row is None:
            new = {"person_id": person_id, "season": assessment.season, **values}
            added = await self.connection.execute(ADD_ASSESSMENT, {**new, "updated_at": self.now})
            assessment_id = int(added.scalar_one())
        else:
            assessment_id = int(row["id"])
            changed = _changed(row, values)
            if changed:
                changes = {"b_id": assessment_id, **changed, "updated_at": self.now}
                await self.connection.execute(CHANGE_ASSESSMENT, changes)
        await _save_answers(self.connection, assessment_id, answers, _answers(assessment))

    async def _season(
        self, person_id: int, season: int
    ) -> tuple[Mapping[str, Any] | None, dict[str, Answer]]:
        """The row of another season than the one loaded (a new season starting), if any."""
        key = {"b_id": person_id, "b_season": season}
        found_row = (await self.connection.execute(SEASON, key)).mappings().first()
        if found_row is None:
            return None, {}
        row = dict(found_row)
        found = (
            (await self.connection.execute(SEASON_ANSWERS, {"b_id": row["id"]})).mappings().all()
        )
        return row, {a["item_id"]: (a["score"], a["choice"], a["note"]) for a in found}

    def _values(self, row: Mapping[str, Any] | None, assessment: Assessment) -> dict[str, Any]:
        complete_scores = len(assessment.scores) == len(self.criteria.indicators)
        complete_digital = len(assessment.digital) == len(self.digital.questions)
        level = digital_level(assessment.digital, self.digital, assessment.certified)
        values: dict[str, Any] = {
            "questionnaire": assessment.questionnaire,
            "target_group": assessment.group,
            "total": sum(assessment.scores.values()),
            "answered": len(assessment.scores),
            "recognised": complete_scores and is_recognised(assessment.scores, self.criteria.rule),
            "digital_level": level.id if complete_digital else None,
            "digital_certificate": assessment.certified or None,
            "started_at": assessment.started_at or self.now,
        }
        # Leaders change the status of sent assessments in their own transactions; write it
        # only when this person changed it, so a concurrent decision is never overwritten.
        if row is None or row["status"] != assessment.status.value:
            values["status"] = assessment.status.value
            values["submitted_at"] = assessment.submitted_at
            if assessment.status == Status.SUBMITTED:
                values["return_reason"] = None
        if complete_scores and (row is None or row["completed_at"] is None):
            values["completed_at"] = self.now
        return values


def _answers(assessment: Assessment) -> dict[str, Answer]:
    """The answers as rows hold them: a score with its note, or a digital-skills choice."""
    rows: dict[str, Answer] = {
        item_id: (score, None, assessment.notes.get(item_id))
        for item_id, score in assessment.scores.items()
    }
    rows.update({item_id: (None, choice, None) for item_id, choice in assessment.digital.items()})
    return rows


async def _save_answers(
    connection: AsyncConnection,
    assessment_id: int,
    before: Mapping[str, Answer],
    after: Mapping[str, Answer],
) -> None:
    """Delete, insert and update only the answers that differ: one statement each at most."""
    gone = [item for item in before if item not in after]
    if gone:
        await connection.execute(DROP_ANSWERS, {"b_id": assessment_id, "b_items": gone})
    new = [
        {"assessment_id": assessment_id, "item_id": item, **_answer_values(after[item])}
        for item in after
        if item not in before
    ]
    if new:
        await connection.execute(ADD_ANSWERS, new)
    changed = [
        {"b_assessment": assessment_id, "b_item": item, **_answer_values(answer, "b_")}
        for item, answer in after.items()
        if item in before and before[item] != answer
    ]
    if changed:
        await connection.execute(CHANGE_ANSWER, changed)


CHANGE_ANSWER = (
    update(ANSWERS)
    .where(
        ANSWERS.c.assessment_id == bindparam("b_assessment"),
        ANSWERS.c.item_id == bindparam("b_item"),
    )
    .values(score=bindparam("b_score"), choice=bindparam("b_choice"), note=bindparam("b_note"))
)


def _answer_values(answer: Answer, prefix: str = "") -> dict[str, Any]:
    score, choice, note = answer
    return {f"{prefix}score": score, f"{prefix}choice": choice, f"{prefix}note": note}


def _changed(stored: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if stored[key] != value}
