"""Aggregates and listings for reports: grouped in SQL, not in Python loops."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import AnswerRow, AssessmentRow, OrgUnit, Person
from storage.scopes import visible

INDICATOR_IDS = tuple(str(n) for n in range(1, 11))


async def assessment_rows(
    session: AsyncSession, season: int | None = None, where: Any = None
) -> Sequence[Row[Any]]:
    """One row per person and season, with the ten scores pivoted into columns; `where` is an
    extra SQL condition (e.g. a scope and a status)."""
    commune, province = aliased(OrgUnit), aliased(OrgUnit)
    scores = [
        func.max(case((AnswerRow.item_id == item, AnswerRow.score))).label(f"score_{item}")
        for item in INDICATOR_IDS
    ]
    query = (
        select(
            Person.channel,
            Person.user_ref,
            Person.name,
            Person.birth_year,
            commune.name.label("commune"),
            province.name.label("province"),
            Person.place_name,
            AssessmentRow.season,
            AssessmentRow.target_group,
            *scores,
            AssessmentRow.total,
            AssessmentRow.answered,
            AssessmentRow.recognised,
            AssessmentRow.digital_level,
            AssessmentRow.digital_certificate,
            AssessmentRow.status,
            AssessmentRow.started_at,
            AssessmentRow.submitted_at,
            AssessmentRow.updated_at,
        )
        .join(Person, Person.id == AssessmentRow.person_id)
        .outerjoin(commune, commune.id == Person.commune_id)
        .outerjoin(province, province.id == commune.parent_id)
        .outerjoin(AnswerRow, AnswerRow.assessment_id == AssessmentRow.id)
        .where(visible())
        .group_by(AssessmentRow.id, Person.id, commune.id, province.id)
        .order_by(
            AssessmentRow.season, province.name, commune.name, Person.place_name, Person.name
        )
    )
    if season is not None:
        query = query.where(AssessmentRow.season == season)
    if where is not None:
        query = query.where(where)
    rows: Sequence[Row[Any]] = (await session.execute(query)).all()
    return rows
