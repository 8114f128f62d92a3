"""notifications asking for feedback lead the assessor to their own form

Rows of kind "assessment.requested" written before issue 15 led the assessor to the request's
results (/assessments/requests/<id>), which only the asking teacher may open (403). Each such
row now leads to the receiver's own assessment of that request. Data only, no schema change;
rows without a matching assessment are left as they are. Going down leaves the rows alone
(the old links were wrong).

Revision ID: 0ce3ed51f387
Revises: ef6dac3b306d
Create Date: 2026-12-03 07:30:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0ce3ed51f387'
down_revision = 'ef6dac3b306d'
branch_labels = None
depends_on = None

notifications = sa.table(
    "notifications", sa.column("id", sa.Integer), sa.column("recipient_id", sa.Integer),
    sa.column("kind", sa.String), sa.column("params", sa.JSON), sa.column("link", sa.String))
assessments = sa.table(
    "assessments", sa.column("id", sa.Integer), sa.column("request_id", sa.Integer),
    sa.column("assessor_id", sa.Integer))


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(notifications.c.id, notifications.c.recipient_id,
                                  notifications.c.params)
                        .where(notifications.c.kind == "assessment.requested")).all()
    for note_id, recipient_id, params in rows:
        if isinstance(params, str):
            params = json.loads(params)
        target = (params or {}).get("_target") or {}
        request_id = (target.get("values") or {}).get("request_id")
        if target.get("endpoint") != "assessments.results" or request_id is None:
            continue
        assessment_id = bind.execute(sa.select(assessments.c.id).where(
            assessments.c.request_id == request_id,
            assessments.c.assessor_id == recipient_id)).scalar()
        if assessment_id is None:
            continue
        params = {**params, "_target": {"endpoint": "assessments.assessment",
                                        "values": {"assessment_id": assessment_id},
                                        "anchor": ""}}
        bind.execute(notifications.update().where(notifications.c.id == note_id)
                     .values(params=params, link=f"/assessments/{assessment_id}"))


def downgrade():
    pass
