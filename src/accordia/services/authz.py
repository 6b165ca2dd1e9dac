"""Who may write what: the ownership rules, enforced for every write whatever its surface.

Every write surface (API routes, the importer behind ``accordia import``, pages) resolves its
caller to an :class:`Actor` and calls :func:`authorize_write` once per record *before* the record
is applied. The record is the importer row of ``entity`` (natural keys, as in
``docs/formats.md``), parsed or raw: the ownership columns are plain strings either way.

Rules (``docs/security.md`` has the table):

- ``regulator``: every kind.
- ``accreditation_body``: ``accreditation`` and ``accreditation_event`` of its own
  (``accreditation_body`` + ``accreditation_body_economy`` = its binding), and
  ``signatory_event`` where it is the signatory (same columns, no ``cab``).
- ``cab``: ``certificate``, ``certificate_event`` and ``ghg_figure`` where ``cab`` is its
  registration number.
- ``association``: ``association_membership`` where ``association`` +
  ``association_economy`` is its binding.
- ``public``, and any read-only token: nothing.
- Every other kind (reference data, bodies, arrangements, market acceptance, the cooperation
  ledger): the regulator only.

The natural key of every owned kind contains the owner columns, so a record of another owner
can neither be created nor changed by naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accordia.importer.fields import FieldError

REGULATOR = "regulator"
ACCREDITATION_BODY = "accreditation_body"
CAB = "cab"
ASSOCIATION = "association"
PUBLIC = "public"
ROLES = (REGULATOR, ACCREDITATION_BODY, CAB, ASSOCIATION, PUBLIC)

# The built-in command-line actor: a local administrator (regulator) unless an account of
# this name exists. It is also the default of ACCORDIA_ACTOR.
LOCAL_ADMIN = "cli"

# kind → (role that owns it, owner columns in the row, what the columns must match)
_AB_COLUMNS = ("accreditation_body", "accreditation_body_economy")
OWNED: dict[str, tuple[str, tuple[str, ...]]] = {
    "accreditation": (ACCREDITATION_BODY, _AB_COLUMNS),
    "accreditation_event": (ACCREDITATION_BODY, _AB_COLUMNS),
    "signatory_event": (ACCREDITATION_BODY, _AB_COLUMNS),
    "certificate": (CAB, ("cab",)),
    "certificate_event": (CAB, ("cab",)),
    "ghg_figure": (CAB, ("cab",)),
    "association_membership": (ASSOCIATION, ("association", "association_economy")),
}


class Forbidden(FieldError):
    """A write the actor may not make. ``rule`` names the ownership rule that refused it.

    A :class:`FieldError`, so the importer reports it like any rejected row (file, line,
    field, rule); the API answers it with 403.
    """

    def __init__(self, rule: str, message: str, field: str = "(row)") -> None:
        super().__init__(field, rule, message)


class UnknownActor(Exception):
    """The actor named for a command-line write is not an active account."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: the name the audit trail records, the role and the binding."""

    name: str
    role: str
    cab: str | None = None  # registration number (role cab)
    body: tuple[str, str] | None = None  # (acronym, economy) of the AB or association
    can_write: bool = True  # False for a read-only token
    via: str = "cli"  # cli | session | token

    @property
    def is_regulator(self) -> bool:
        return self.role == REGULATOR

    def describe(self) -> str:
        if self.role == CAB and self.cab:
            return f"{self.name} (cab {self.cab})"
        if self.body:
            return f"{self.name} ({self.role} {self.body[0]} / {self.body[1]})"
        return f"{self.name} ({self.role})"


PUBLIC_ACTOR = Actor(name="anonymous", role=PUBLIC, can_write=False, via="anonymous")


def local_admin(name: str = LOCAL_ADMIN) -> Actor:
    return Actor(name=name, role=REGULATOR, via="cli")


def actor_of(user: Any, via: str, can_write: bool = True) -> Actor:
    """The :class:`Actor` of an account (a :class:`accordia.models.account.User`)."""
    body = None
    if user.body_acronym and user.body_economy:
        body = (str(user.body_acronym), str(user.body_economy).upper())
    return Actor(
        name=user.username,
        role=user.role,
        cab=user.cab,
        body=body,
        can_write=can_write and user.role != PUBLIC,
        via=via,
    )


def resolve_actor(session: Session, name: str) -> Actor:
    """The actor of a command-line or import write named ``name`` (``--actor`` /
    ``ACCORDIA_ACTOR``).

    - an active account of that name acts with its role and binding;
    - ``cli`` (the default), when no account has that name, is the built-in local
      administrator with the regulator role;
    - any other name acts as a local administrator only while the registry has no accounts
      at all (a fresh install); once accounts exist it must be one of them.

    Raises:
        UnknownActor: a disabled account, or an unknown name once accounts exist.
    """
    from accordia.models.account import User

    name = (name or "").strip()
    if not name:
        raise UnknownActor("no actor given: pass --actor or set ACCORDIA_ACTOR")
    user = session.execute(select(User).filter_by(username=name)).scalar_one_or_none()
    if user is not None:
        if not user.active:
            raise UnknownActor(f"actor {name!r}: the account is disabled")
        return actor_of(user, via="cli")
    if name == LOCAL_ADMIN:
        return local_admin(name)
    accounts = session.execute(select(func.count()).select_from(User)).scalar_one()
    if not accounts:
        return local_admin(name)
    raise UnknownActor(
        f"actor {name!r} is not an account of this registry; create it with "
        "`accordia users add` or act as the local administrator `cli`"
    )


def _cell(record: Mapping[str, Any], column: str) -> str:
    value = record.get(column)
    return "" if value is None else str(value).strip()


def authorize_write(actor: Actor, entity: str, record: Mapping[str, Any]) -> None:
    """Allow ``actor`` to create or change the ``entity`` record ``record``, or raise.

    ``entity`` is the importer kind name (``certificate``, ``cooperation_agreement`` …);
    ``record`` its row with natural keys (``docs/formats.md``).

    Raises:
        Forbidden: with ``rule`` one of ``read_only``, ``regulator_only``, ``wrong_role``,
            ``own_cab_only``,
            ``own_accreditation_body_only``, ``own_association_only``,
            ``signatory_not_own``; ``field`` names the column that decided.
    """
    if not actor.can_write or actor.role == PUBLIC:
        raise Forbidden(
            "read_only", f"{actor.describe()} may not write ({entity}): read-only access"
        )
    if actor.role == REGULATOR:
        return
    owner = OWNED.get(entity)
    if owner is None or owner[0] != actor.role:
        raise Forbidden(
            "regulator_only" if owner is None else "wrong_role",
            f"{actor.describe()} may not write {entity} records"
            + (": only a regulator may" if owner is None else f": only a {owner[0]} may"),
        )
    role, columns = owner
    if role == CAB:
        given = _cell(record, "cab")
        if not actor.cab or given != actor.cab:
            raise Forbidden(
                "own_cab_only",
                f"{actor.describe()} may write {entity} records of its own CAB only, "
                f"not of {given!r}",
                "cab",
            )
        return
    acronym, economy = _cell(record, columns[0]), _cell(record, columns[1]).upper()
    if actor.body is None or (acronym, economy) != actor.body:
        rule = "own_association_only" if role == ASSOCIATION else "own_accreditation_body_only"
        raise Forbidden(
            rule,
            f"{actor.describe()} may write {entity} records of its own body only, "
            f"not of {acronym!r} / {economy!r}",
            columns[0],
        )
    if entity == "signatory_event" and _cell(record, "cab"):
        raise Forbidden(
            "signatory_not_own",
            f"{actor.describe()} may record signatory evidence where it is the signatory; "
            "this event names a CAB signatory",
            "cab",
        )


def require_regulator(actor: Actor, what: str) -> None:
    """Reads reserved to regulators (the audit trail, accounts)."""
    if actor.role != REGULATOR:
        raise Forbidden("regulator_only", f"{actor.describe()} may not read {what}")
