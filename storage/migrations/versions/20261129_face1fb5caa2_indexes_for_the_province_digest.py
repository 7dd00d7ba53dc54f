"""indexes for the province digest

What EXPLAIN ANALYZE asked for at 300,000 people in a province (bench/province_digest.py):
- people (place_name, name): the digest's lists (recognised, pending, started, blocked) are
  the first 5,000 by place and name; with the index PostgreSQL reads them in order and stops
  (about 90 ms each) instead of sorting every match of the province (about 550 ms each).
- extended statistics on people (commune_id, place_id), PostgreSQL only: a place lies in one
  commune, so the digest's GROUP BY makes about 3,100 groups, not the 30,000 the planner
  guessed from the two columns apart (it then sorted on disk instead of hashing in memory).

Revision ID: face1fb5caa2
Revises: 1c3dc638a3fa
Create Date: 2026-11-29 13:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "face1fb5caa2"
down_revision: str | None = "1c3dc638a3fa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_people_place_name_name", "people", ["place_name", "name"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS IF NOT EXISTS people_commune_place (ndistinct, dependencies) "
            "ON commune_id, place_id FROM people"
        )
        op.execute("ANALYZE people")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS people_commune_place")
    op.drop_index("ix_people_place_name_name", table_name="people")
