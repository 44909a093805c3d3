"""An event waiting in audit_pending is copied column for column into audit_event when it is sealed
(duty_tui/core/services/audit_late.py), and its fields were cut to audit_event's lengths before hashing
(audit.stored_fields): the two tables' content columns must stay the same in type, length and nullness,
or a sealed copy could differ from what was hashed. The models declare them twice; this keeps them one."""

from __future__ import annotations

from dataclasses import fields

from duty_tui.core.db.models import AuditEvent, AuditPending, table_of
from duty_tui.core.services.audit import StoredFields
from duty_tui.core.services.audit_late import _CONTENT


def _shape(column) -> tuple:
    return (type(column.type).__name__, getattr(column.type, "length", None), column.nullable,
            tuple(sorted(fk.target_fullname for fk in column.foreign_keys)))


def test_a_waiting_event_has_exactly_the_columns_an_event_has():
    events, pending = table_of(AuditEvent), table_of(AuditPending)
    assert set(_CONTENT) == {f.name for f in fields(StoredFields)}  # every hashed field, and only those
    assert {name: _shape(pending.c[name]) for name in _CONTENT} == {name: _shape(events.c[name]) for name in _CONTENT}
