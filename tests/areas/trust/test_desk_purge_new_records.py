"""Issue 11 (B9, B13): the new records holding personal data — a contact's corrections (what it said
before) and a postal address — are anonymised with the rest past retention, and a subject access
request shows a contact's corrections."""

from __future__ import annotations

import json
from datetime import date

from builders import seed_office
from sqlalchemy import select
from test_gdpr_purge import seed_old, utc
from test_gdpr_sar import ctx_for

from duty_tui.areas.frontdesk.db.models import ContactRevision
from duty_tui.areas.trust.services.gdpr import subject_access
from duty_tui.areas.trust.services.gdpr_purge import purge
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Contact, Person, PersonAddress


def test_corrections_and_postal_addresses_go_with_the_rest_and_a_sar_shows_corrections(engine, tmp_path):
    seed_office(engine)
    seed_old(engine)
    with session_scope(engine, write=True) as s:
        olwen = s.execute(select(Person).where(Person.ref == "P0000010")).scalars().one()
        john = s.execute(select(Person).where(Person.ref == "P0000001")).scalars().one()
        old, recent = s.execute(select(Contact).where(Contact.person_id == john.id)
                                .order_by(Contact.at)).scalars().all()[:2]
        for contact in (old, recent):
            s.add(ContactRevision(contact_id=contact.id, revision=1, at=utc(2018, 1, 2), by=None,
                                  why="Said the wrong street", before=json.dumps({"notes": "Lives at 9 Secret Row"}),
                                  after=json.dumps({"notes": contact.notes})))
        s.add(PersonAddress(person_id=olwen.id, line1="Flat 9, Hidden House", town="Swindon", postcode="SN9 9ZZ",
                            postcode_key="SN99ZZ", since=date(2018, 1, 1), created_at=utc(2018, 1, 1)))
        old_id, recent_id = old.id, recent.id

    out = tmp_path / "sar"
    subject_access(ctx_for(engine, "admin"), "P0000001", out)
    exported = "\n".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "Corrections to contacts" in exported and "Said the wrong street" in exported

    purge(ctx_for(engine, "admin"))
    with session_scope(engine) as s:
        revisions = {r.contact_id: r for r in s.execute(select(ContactRevision)).scalars()}
        assert revisions[old_id].why == "Anonymised" and "Secret Row" not in revisions[old_id].before
        assert revisions[recent_id].why == "Said the wrong street"  # a recent contact's correction is kept
        address = s.execute(select(PersonAddress)).scalars().one()
        assert (address.line1, address.postcode) == ("Anonymised", "")
