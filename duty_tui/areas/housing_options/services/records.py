"""What housing options offers the core through hooks (duty_tui/areas/housing_options/__init__.py)."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessMember


def person_records(session: Session, person_id: int, account_ids: list[int]) -> dict[str, list]:
    """Hook "audit.person_records": the homelessness cases the person applied in or is a household member of."""
    members = select(HomelessMember.homeless_case_id).where(HomelessMember.person_id == person_id)
    return {"case_ids": list(session.exec(select(HomelessCase.case_id).where(
        or_(col(HomelessCase.person_id) == person_id, col(HomelessCase.id).in_(members)))).all())}
