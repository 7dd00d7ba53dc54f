"""Stores behind the core's ports. They take a session and never commit."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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


@dataclass
class StateStore:
    """Loads and saves a person's whole UserState across the normalised tables."""

    session: AsyncSession
    criteria: Criteria
    digital: DigitalCheck
    # Rows read by load(), reused by save() in the same unit of work: fewer round trips.
    _people: dict[tuple[str, str], Person] = field(default_factory=dict)
    _conversations: dict[int, Conversation] = field(default_factory=dict)
    _assessments: dict[tuple[int, int], AssessmentRow] = field(default_factory=dict)
    _loaded_status: dict[tuple[int, int], str] = field(default_factory=dict)

    async def load(self, channel: str, user_ref: str) -> UserState | None:
        """The person's state; loading it also marks them reachable, since they just wrote."""
        person = await self._person(channel, user_ref)
        if person is None:
            return None
        if person.unreachable_at is not None:
            person.unreachable_at = None
        conversation = await self.session.get(Conversation, person.id)
        if conversation is not None:
            self._conversations[person.id] = conversation
        scratch: dict[str, Any] = conversation.scratch if conversation else {}
        return UserState(
            locale=person.locale,
            step=conversation.step if conversation else "new",
            profile=await self._profile(person),
            assessment=await self._assessment(person.id),
            candidates=tuple(scratch.get("candidates", ())),
            proposed_group=scratch.get("proposed_group"),
            return_to=scratch.get("return_to"),
            resume_step=scratch.get("resume_step"),
            preset=tuple(scratch.get("preset", ())),
            acting=scratch.get("acting"),
            citizen_step=scratch.get("citizen_step"),
        )

    async def save(self, channel: str, user_ref: str, state: UserState, now: datetime) -> None:
        if state.erased:
            return  # the person's data was erased in this unit of work: keep nothing
        person = await self._person(channel, user_ref)
        if person is None:
            person = Person(channel=channel, user_ref=user_ref, created_at=now)
            self.session.add(person)
        before = person.consent_at
        _apply_profile(person, state, now)
        await self.session.flush()
        if before != person.consent_at:
            self.session.add(_consent_record(person, channel, now))
        await self._save_conversation(person.id, state, now)
        await self._save_assessment(person.id, state.assessment, now)

    async def exists(self, event: InboundEvent) -> bool:
        return await self._person(event.channel, event.user_ref) is not None

    async def _person(self, channel: str, user_ref: str) -> Person | None:
        cached = self._people.get((channel, user_ref))
        if cached is not None:
            return cached
        query = select(Person).where(Person.channel == channel, Person.user_ref == user_ref)
        person = (await self.session.execute(query)).scalar_one_or_none()
        if person is not None:
            self._people[(channel, user_ref)] = person
        return person

    async def _profile(self, person: Person) -> Profile:
        commune = await self.session.get(OrgUnit, person.commune_id) if person.commune_id else None
        household = (
            await self.session.get(NamedUnit, person.household_id) if person.household_id else None
        )
        return Profile(
            name=person.name,
            birth_year=person.birth_year,
            commune_id=person.commune_id,
            commune_name=await _label(self.session, commune) if commune else None,
            place_id=person.place_id,
            place_name=person.place_name,
            household_id=household.id if household else None,
            household_name=household.name if household else None,
            group=person.target_group,
            consent_at=person.consent_at,
            consent_version=person.consent_version,
            withdrawn_at=person.withdrawn_at,
        )

    async def _assessment(self, person_id: int) -> Assessment | None:
        query = (
            select(AssessmentRow)
            .where(AssessmentRow.person_id == person_id)
            .order_by(AssessmentRow.season.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).scalar_one_or_none()
        if row is None:
            return None
        self._assessments[(person_id, row.season)] = row
        self._loaded_status[(person_id, row.season)] = row.status
        self._loaded_status[(person_id, row.season)] = row.status
        answers = (
            await self.session.execute(select(AnswerRow).where(AnswerRow.assessment_id == row.id))
        ).scalars()
        scores, notes, digital = {}, {}, {}
        for answer in answers:
            if answer.score is not None:
                scores[answer.item_id] = answer.score
            if answer.note:
                notes[answer.item_id] = answer.note
            if answer.choice is not None:
                digital[answer.item_id] = answer.choice
        return Assessment(
            season=row.season,
            questionnaire=row.questionnaire,
            group=row.target_group,
            scores=scores,
            notes=notes,
            digital=digital,
            certified=bool(row.digital_certificate),
            status=Status(row.status),
            started_at=row.started_at,
            submitted_at=row.submitted_at,
            return_reason=row.return_reason,
        )

    async def _save_conversation(self, person_id: int, state: UserState, now: datetime) -> None:
        scratch = {
            "candidates": list(state.candidates),
            "proposed_group": state.proposed_group,
            "return_to": state.return_to,
            "resume_step": state.resume_step,
            "preset": list(state.preset),
            "acting": state.acting,
            "citizen_step": state.citizen_step,
        }
        row = self._conversations.get(person_id) or await self.session.get(Conversation, person_id)
        if row is None:
            row = Conversation(person_id=person_id)
            self.session.add(row)
        row.step, row.scratch, row.updated_at = state.step, scratch, now

    async def _save_assessment(
        self, person_id: int, assessment: Assessment | None, now: datetime
    ) -> None:
        if assessment is None:
            # A cancelled draft is deleted; sent assessments stay as history.
            await self.session.execute(
                delete(AssessmentRow).where(
                    AssessmentRow.person_id == person_id,
                    AssessmentRow.status == Status.DRAFT,
                )
            )
            return
        row = self._assessments.get((person_id, assessment.season))
        if row is None:
            query = select(AssessmentRow).where(
                AssessmentRow.person_id == person_id,
                AssessmentRow.season == assessment.season,
            )
            row = (await self.session.execute(query)).scalar_one_or_none()
        if row is None:
            row = AssessmentRow(person_id=person_id, season=assessment.season)
            self.session.add(row)
        self._apply_assessment(row, assessment, now)
        await self.session.flush()
        await self.session.execute(delete(AnswerRow).where(AnswerRow.assessment_id == row.id))
        self.session.add_all(_answer_rows(row.id, assessment))

    def _apply_assessment(self, row: AssessmentRow, assessment: Assessment, now: datetime) -> None:
        complete_scores = len(assessment.scores) == len(self.criteria.indicators)
        complete_digital = len(assessment.digital) == len(self.digital.questions)
        row.questionnaire = assessment.questionnaire
        row.target_group = assessment.group
        # Leaders change the status of sent assessments in their own transactions; write it
        # only when this person changed it, so a concurrent decision is never overwritten.
        loaded = self._loaded_status.get((row.person_id, row.season))
        if loaded is None or loaded != assessment.status.value:
            row.status = assessment.status.value
            row.submitted_at = assessment.submitted_at
            if assessment.status == Status.SUBMITTED:
                row.return_reason = None
        if complete_scores and row.completed_at is None:
            row.completed_at = now
        row.total = sum(assessment.scores.values())
        row.answered = len(assessment.scores)
        row.recognised = complete_scores and is_recognised(assessment.scores, self.criteria.rule)
        row.digital_certificate = assessment.certified or None
        level = digital_level(assessment.digital, self.digital, assessment.certified)
        row.digital_level = level.id if complete_digital else None
        row.started_at = assessment.started_at or now
        row.updated_at = now


def _apply_profile(person: Person, state: UserState, now: datetime) -> None:
    profile = state.profile
    person.locale = state.locale
    person.name = profile.name
    person.birth_year = profile.birth_year
    person.commune_id = profile.commune_id
    person.place_id = profile.place_id
    person.place_name = profile.place_name
    person.household_id = profile.household_id
    person.target_group = profile.group
    person.consent_at = profile.consent_at
    person.consent_version = profile.consent_version
    person.withdrawn_at = profile.withdrawn_at
    person.updated_at = now


def _consent_record(person: Person, channel: str, now: datetime) -> ConsentRecord:
    """Proof of consent (Law 91/2025/QH15): which text, when, on which channel."""
    given = person.consent_at is not None
    return ConsentRecord(
        person_id=person.id,
        action="given" if given else "withdrawn",
        version=person.consent_version,
        channel=channel,
        at=person.consent_at if person.consent_at is not None else now,
    )


def _answer_rows(assessment_id: int, assessment: Assessment) -> list[AnswerRow]:
    rows = [
        AnswerRow(
            assessment_id=assessment_id,
            item_id=item_id,
            score=score,
            note=assessment.notes.get(item_id),
        )
        for item_id, score in assessment.scores.items()
    ]
    rows += [
        AnswerRow(assessment_id=assessment_id, item_id=item_id, choice=choice)
        for item_id, choice in assessment.digital.items()
    ]
    return rows


async def _label(session: AsyncSession, unit: OrgUnit) -> str:
    parent = await session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    return f"{unit.name}, {parent.name}" if parent else unit.name


@dataclass
class Reachability:
    """A person who blocked the bot is unreachable until they write again (see load)."""

    session: AsyncSession

    async def unreachable(self, channel: str, user_ref: str, now: datetime) -> None:
        await self.session.execute(
            update(Person)
            .where(Person.channel == channel, Person.user_ref == user_ref)
            .values(unreachable_at=now)
        )
