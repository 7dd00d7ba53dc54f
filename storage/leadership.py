"""Leaders' data behind the core's Leadership port: grants, invites, places, the queue of
sent assessments and decisions on them. Every call re-checks the grant and its scope."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.campaigns import CampaignCount, Recipient
from conversations.digest import Digest
from conversations.plan import VILLAGE_ENTERS
from conversations.ports import Place, TypedPlace
from conversations.roles import (
    MAY_ADD_PLACES,
    MAY_INVITE,
    MAY_RECOGNISE,
    NODE_KIND,
    Grant,
    RoleName,
    Submission,
    SubmissionDetail,
)
from conversations.schedule import Schedule
from conversations.state import Status
from conversations.text import fold, natural_sorted
from storage.access_log import record_access
from storage.campaigns import campaign_counts, unfinished
from storage.digests import build_digest
from storage.links import by_code, create_place_link, unused_code
from storage.models import AnswerRow, AssessmentRow, Invite, OrgUnit, Person, Role
from storage.plan_facts import FactError, facts_by_place, set_fact
from storage.schedules import schedule_for, set_schedule
from storage.scopes import ancestors, covers, people_of, visible
from storage.typed_places import attach_typed, child_named, typed_places

INVITE_DAYS = 7
# Channels a message can reach someone on without them being at a terminal.
LIVE_CHANNELS = ("telegram", "zalo", "console")
# Which status each decision may start from: a leader acts on sent assessments only.
DECISIONS = {
    Status.CONFIRMED: (Status.SUBMITTED,),
    Status.RECOGNISED: (Status.SUBMITTED, Status.CONFIRMED),
    Status.RETURNED: (Status.SUBMITTED, Status.CONFIRMED),
}
QUEUED = (Status.SUBMITTED, Status.CONFIRMED)


@dataclass
class SqlLeadership:
    session: AsyncSession
    who: tuple[str, str]  # (channel, user_ref) of the person acting: grants are theirs only
    timezone: str = "Asia/Ho_Chi_Minh"

    async def grants(self, channel: str, user_ref: str) -> Sequence[Grant]:
        query = (
            select(Role.role, OrgUnit.id, OrgUnit.name)
            .join(Person, Person.id == Role.person_id)
            .join(OrgUnit, OrgUnit.id == Role.org_unit_id)
            .where(Person.channel == channel, Person.user_ref == user_ref)
            .where(Role.revoked_at.is_(None))
            .order_by(Role.id)
        )
        rows = (await self.session.execute(query)).all()
        return [Grant(RoleName(role), org_id, name) for role, org_id, name in rows]

    async def redeem(self, code: str, channel: str, user_ref: str, now: datetime) -> Grant | None:
        invite = await by_code(self.session, Invite, code)
        if invite is None or invite.used_at or invite.revoked_at or invite.expires_at <= now:
            return None
        person = await self._person(channel, user_ref, now)
        invite.used_at, invite.used_by = now, person.id
        role = RoleName(invite.role)
        exists = select(Role).where(
            Role.person_id == person.id,
            Role.role == role.value,
            Role.org_unit_id == invite.org_unit_id,
        )
        held = (await self.session.execute(exists)).scalar_one_or_none()
        if held is None:
            self.session.add(
                Role(
                    person_id=person.id,
                    role=role.value,
                    org_unit_id=invite.org_unit_id,
                    granted_at=now,
                )
            )
        else:
            held.revoked_at = None
        unit = await self.session.get(OrgUnit, invite.org_unit_id)
        await self.session.flush()
        return Grant(role, invite.org_unit_id, unit.name if unit else "")

    async def invite(self, grant: Grant, role: RoleName, org_id: int, now: datetime) -> str | None:
        if grant.role not in MAY_INVITE or role not in MAY_INVITE[grant.role]:
            return None
        unit = await self.session.get(OrgUnit, org_id)
        if (
            unit is None
            or unit.kind != NODE_KIND[role]
            or not await covers(self.session, grant, org_id)
        ):
            return None
        return await create_invite(self.session, role, org_id, now)

    async def places(self, grant: Grant) -> Sequence[Place]:
        """Villages and units a leader looks after (a village leader: their own village)."""
        if grant.role in (RoleName.VILLAGE, RoleName.UNIT):
            unit = await self.session.get(OrgUnit, grant.org_id)
            return [Place(unit.id, unit.name, kind=unit.kind)] if unit else []
        query = select(OrgUnit).where(OrgUnit.kind.in_(("village", "unit")))
        if grant.role == RoleName.COMMUNE:
            query = query.where(OrgUnit.parent_id == grant.org_id)
        else:
            communes = select(OrgUnit.id).where(OrgUnit.parent_id == grant.org_id)
            query = query.where(OrgUnit.parent_id.in_(communes))
        units = natural_sorted((await self.session.execute(query)).scalars(), lambda u: u.name)
        return [Place(u.id, u.name, kind=u.kind) for u in sorted(units, key=lambda u: u.kind)]

    async def add_place(
        self, grant: Grant, kind: str, name: str, population: int | None
    ) -> Place | None:
        if grant.role != RoleName.COMMUNE or kind not in ("village", "unit"):
            return None
        existing = await child_named(self.session, grant.org_id, name)
        if existing is not None:
            return Place(existing.id, existing.name)
        unit = OrgUnit(
            parent_id=grant.org_id,
            kind=kind,
            name=name,
            search_key=fold(name),
            population=population,
        )
        self.session.add(unit)
        await self.session.flush()
        return Place(unit.id, unit.name)

    async def typed_places(self, grant: Grant) -> Sequence[TypedPlace]:
        if grant.role != RoleName.COMMUNE or not await self.holds(grant):
            return []
        return await typed_places(self.session, grant.org_id)

    async def attach_typed(self, grant: Grant, typed: str, org_id: int) -> int | None:
        node = await self.session.get(OrgUnit, org_id)
        if grant.role != RoleName.COMMUNE or node is None or node.parent_id != grant.org_id:
            return None
        if node.kind not in ("village", "unit") or not await self.holds(grant):
            return None
        return await attach_typed(self.session, grant.org_id, typed, node)

    async def link_code(self, grant: Grant, org_id: int, now: datetime) -> str | None:
        if not await covers(self.session, grant, org_id):
            return None
        return await create_place_link(self.session, org_id, now)

    async def queue(self, grant: Grant, page: int, size: int) -> tuple[Sequence[Submission], int]:
        statuses = [s.value for s in QUEUED]
        where = [people_of(grant), visible(), AssessmentRow.status.in_(statuses)]
        base = (
            select(AssessmentRow, Person)
            .join(Person, Person.id == AssessmentRow.person_id)
            .where(*where)
        )
        count = select(func.count()).select_from(base.subquery())
        total = (await self.session.execute(count)).scalar_one()
        rows = await self.session.execute(
            base.order_by(AssessmentRow.submitted_at, AssessmentRow.id)
            .offset(page * size)
            .limit(size)
        )
        return [_submission(row, person) for row, person in rows], total

    async def submission(self, grant: Grant, assessment_id: int) -> SubmissionDetail | None:
        found = await self._in_scope(grant, assessment_id)
        if found is None:
            return None
        row, person = found
        answers = (
            await self.session.execute(select(AnswerRow).where(AnswerRow.assessment_id == row.id))
        ).scalars()
        scores, notes = {}, {}
        for answer in answers:
            if answer.score is not None:
                scores[answer.item_id] = answer.score
            if answer.note:
                notes[answer.item_id] = answer.note
        return SubmissionDetail(
            summary=_submission(row, person),
            season=row.season,
            group=row.target_group,
            birth_year=person.birth_year,
            scores=scores,
            notes=notes,
            digital_level=row.digital_level,
            submitted_at=row.submitted_at,
            return_reason=row.return_reason,
            channel=person.channel,
            user_ref=person.user_ref,
            locale=person.locale,
            digital_certificate=bool(row.digital_certificate),
        )

    async def decide(
        self,
        grant: Grant,
        assessment_id: int,
        status: str,
        reason: str | None,
        decided_by: tuple[str, str],
        now: datetime,
    ) -> SubmissionDetail | None:
        decision = Status(status)
        if decision == Status.RECOGNISED and grant.role not in MAY_RECOGNISE:
            return None
        found = await self._in_scope(grant, assessment_id)
        if found is None:
            return None
        row, _person = found
        if decision == Status.RECOGNISED and not row.recognised:
            return None  # the rule is not met: the title cannot be given
        leader = await self._person(*decided_by, now)
        values: dict[str, object] = {
            "status": decision.value,
            "decided_by": leader.id,
            "updated_at": now,
        }
        if decision == Status.CONFIRMED:
            values["confirmed_at"] = now
        if decision == Status.RECOGNISED:
            values.update(confirmed_at=row.confirmed_at or now, recognised_at=now)
        if decision == Status.RETURNED:
            values["return_reason"] = reason
        # Conditional on the current status: of two leaders deciding at once, one wins.
        allowed = [s.value for s in DECISIONS[decision]]
        result = await self.session.execute(
            update(AssessmentRow)
            .where(AssessmentRow.id == row.id, AssessmentRow.status.in_(allowed))
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return await self.submission(grant, assessment_id)

    async def digest(self, grant: Grant, year: int, now: datetime) -> Digest | None:
        if not await self.holds(grant):
            return None
        return await build_digest(self.session, grant.org_id, year, now, self.timezone)

    async def facts(self, grant: Grant, year: int) -> Mapping[tuple[int, str], tuple[int, int]]:
        node = await self.session.get(OrgUnit, grant.org_id)
        if node is None or not await self.holds(grant):
            return {}
        return await facts_by_place(self.session, node, year)

    async def set_fact(
        self,
        grant: Grant,
        org_id: int,
        year: int,
        metric: str,
        done: int,
        total: int,
        now: datetime,
    ) -> str | None:
        """None when stored; "forbidden" outside the grant (a village leader records only
        households and clans); else why the numbers do not fit (a msgid)."""
        allowed = grant.role in MAY_ADD_PLACES or metric in VILLAGE_ENTERS
        node = await self.session.get(OrgUnit, org_id)
        if node is None or not allowed or not await self.holds(grant):
            return "forbidden"
        if not await covers(self.session, grant, org_id):
            return "forbidden"
        try:
            await set_fact(self.session, node, year, metric, done, total, now)
        except FactError as error:
            return str(error)
        return None

    async def schedule(self, grant: Grant, year: int) -> Schedule:
        return await schedule_for(self.session, grant.org_id, year)

    async def set_schedule(self, grant: Grant, year: int, key: str, raw: str) -> bool:
        if grant.role not in MAY_ADD_PLACES or not await self.holds(grant):
            return False
        await set_schedule(self.session, grant.org_id, year, key, raw)
        return True

    async def campaigns(self, grant: Grant) -> Sequence[CampaignCount]:
        if not await self.holds(grant):
            return []
        nodes = [grant.org_id, *(p.id for p in await self.places(grant))]
        return await campaign_counts(self.session, nodes)

    async def unfinished(self, grant: Grant, season: int) -> Sequence[Recipient]:
        if not await self.holds(grant):
            return []
        return await unfinished(self.session, people_of(grant), season, LIVE_CHANNELS)

    async def record_access(
        self, grant: Grant, screen: str, now: datetime, assessment_id: int | None = None
    ) -> None:
        leader = await self._person(*self.who, now)
        subject = await self.session.get(AssessmentRow, assessment_id) if assessment_id else None
        await record_access(
            self.session,
            now,
            screen,
            actor_id=leader.id,
            subject_id=subject.person_id if subject else None,
            org_id=grant.org_id,
        )

    async def _in_scope(
        self, grant: Grant, assessment_id: int
    ) -> tuple[AssessmentRow, Person] | None:
        query = (
            select(AssessmentRow, Person)
            .join(Person, Person.id == AssessmentRow.person_id)
            .where(AssessmentRow.id == assessment_id, people_of(grant), visible())
        )
        found = (await self.session.execute(query)).first()
        return found if found is not None and await self.holds(grant) else None

    async def holds(self, grant: Grant) -> bool:
        """The acting person holds this grant now (it may have been revoked meanwhile)."""
        return any(held == grant for held in await self.grants(*self.who))

    async def _person(self, channel: str, user_ref: str, now: datetime) -> Person:
        query = select(Person).where(Person.channel == channel, Person.user_ref == user_ref)
        person = (await self.session.execute(query)).scalar_one_or_none()
        if person is None:
            person = Person(
                channel=channel, user_ref=user_ref, locale="vi", created_at=now, updated_at=now
            )
            self.session.add(person)
            await self.session.flush()
        return person


async def create_invite(
    session: AsyncSession, role: RoleName, org_id: int, now: datetime, days: int = INVITE_DAYS
) -> str:
    code = await unused_code(session, Invite)
    expires = now + timedelta(days=days)
    session.add(
        Invite(code=code, role=role.value, org_unit_id=org_id, created_at=now, expires_at=expires)
    )
    await session.flush()
    return code


async def revoke_invite(session: AsyncSession, code: str, now: datetime) -> bool:
    invite = await by_code(session, Invite, code)
    if invite is None or invite.used_at is not None or invite.revoked_at is not None:
        return False
    invite.revoked_at = now
    return True


async def roles_under(
    session: AsyncSession, org_id: int
) -> list[tuple[int, str, str, str | None, str]]:
    """Active roles on a node and its subtree: (role id, role, place, leader's name, channel)."""
    query = (
        select(Role.id, Role.role, OrgUnit.name, Person.name, Person.channel, OrgUnit.id)
        .join(OrgUnit, OrgUnit.id == Role.org_unit_id)
        .join(Person, Person.id == Role.person_id)
        .where(Role.revoked_at.is_(None))
        .order_by(Role.id)
    )
    found = []
    for role_id, role, place, name, channel, unit_id in await session.execute(query):
        if any(node.id == org_id for node in await ancestors(session, unit_id)):
            found.append((role_id, role, place, name, channel))
    return found


async def revoke_role(session: AsyncSession, role_id: int, now: datetime) -> bool:
    role = await session.get(Role, role_id)
    if role is None or role.revoked_at is not None:
        return False
    role.revoked_at = now
    return True


def _submission(row: AssessmentRow, person: Person) -> Submission:
    return Submission(
        assessment_id=row.id,
        person_name=person.name or "?",
        place=person.place_name or "",
        total=row.total,
        status=row.status,
        meets_rule=row.recognised,
        channel=person.channel,
    )


__all__ = ["SqlLeadership", "create_invite", "revoke_invite", "revoke_role", "roles_under"]
