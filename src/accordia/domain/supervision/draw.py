""" "Double random, one public" (双随机、一公开): a verifiable, risk-weighted draw.

Protocol
  1. *Commit*: the regulator picks a secret seed and publishes ``SHA-256(seed)`` together with
     the directories (targets with their weights, inspectors) and the ratio. Nothing the draw
     depends on can change after this point.
  2. *Reveal*: the seed is published and the draw is run: :func:`run_draw`.
  3. *Verify*: anyone checks ``SHA-256(seed)`` against the commitment and re-runs the draw over
     the published directories; the result digests must match.

The draw is a pure function of (seed, directories, ratio, inspectors per target). Every random
number is derived from SHA-256 of the seed and a label, so the result does not depend on the
order of the directories, the platform or the Python version.

* Targets: ``k = ⌈ratio × N⌉`` drawn without replacement with probability proportional to
  their weight (Efraimidis–Spirakis: largest ``ln(u) / w`` wins, ``u`` uniform from the hash).
* Inspectors: for each target, in drawn order, the ``per_target`` inspectors with the smallest
  hash among those whose specialties include the target's specialty, recusing any whose past
  employers include the target (conflict of interest) and any already at ``max_assignments``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True, slots=True)
class Target:
    id: str  # CAB registration number
    specialty: str  # CAB kind: ms_cb, product_cb, testing_lab ...
    weight: float = 1.0
    region: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "specialty": self.specialty,
            "weight": self.weight,
            "region": self.region,
        }


@dataclass(frozen=True, slots=True)
class InspectorEntry:
    code: str
    specialties: tuple[str, ...]
    region: str = ""
    past_employers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "specialties": sorted(self.specialties),
            "region": self.region,
            "past_employers": sorted(self.past_employers),
        }


@dataclass(frozen=True, slots=True)
class Assignment:
    target: str
    specialty: str
    weight: float
    inspectors: tuple[str, ...]
    recused: tuple[str, ...]
    short: bool  # fewer eligible inspectors than required

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "specialty": self.specialty,
            "weight": self.weight,
            "inspectors": list(self.inspectors),
            "recused": list(self.recused),
            "short": self.short,
        }


@dataclass(frozen=True, slots=True)
class DrawResult:
    ratio: float
    per_target: int
    population: int
    drawn: tuple[Assignment, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ratio": self.ratio,
            "per_target": self.per_target,
            "population": self.population,
            "drawn": [a.as_dict() for a in self.drawn],
        }

    @property
    def digest(self) -> str:
        return digest(self.as_dict())


def canonical(obj: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(obj: Any) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def commitment(seed: str) -> str:
    """The published commitment: SHA-256 of the seed's UTF-8 bytes, hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


def directory(targets: Iterable[Target], inspectors: Iterable[InspectorEntry]) -> dict[str, Any]:
    """The directories as published with the commitment (sorted, canonical)."""
    return {
        "targets": [t.as_dict() for t in sorted(targets, key=lambda t: t.id)],
        "inspectors": [i.as_dict() for i in sorted(inspectors, key=lambda i: i.code)],
    }


def from_directory(d: Mapping[str, Any]) -> tuple[list[Target], list[InspectorEntry]]:
    targets = [
        Target(t["id"], t["specialty"], float(t["weight"]), t.get("region", ""))
        for t in d["targets"]
    ]
    inspectors = [
        InspectorEntry(
            i["code"],
            tuple(i["specialties"]),
            i.get("region", ""),
            tuple(i.get("past_employers", ())),
        )
        for i in d["inspectors"]
    ]
    return targets, inspectors


def uniform(seed: str, *labels: str) -> float:
    """A number in (0, 1) from SHA-256 of the seed and labels."""
    h = hashlib.sha256("\x1f".join((seed, *labels)).encode()).digest()
    return (int.from_bytes(h[:8], "big") + 0.5) / 2**64


def sample_count(ratio: float, population: int) -> int:
    """``⌈ratio × N⌉``, computed exactly from the ratio's decimal text."""
    if not 0 <= ratio <= 1:
        raise ValueError("ratio must be between 0 and 1")
    return math.ceil(Fraction(str(ratio)) * population)


def run_draw(
    seed: str,
    targets: Sequence[Target],
    inspectors: Sequence[InspectorEntry],
    ratio: float,
    per_target: int = 2,
    max_assignments: int | None = None,
) -> DrawResult:
    """Draw targets (risk-weighted) and inspectors (matching specialty, conflicts recused)."""
    if per_target < 1:
        raise ValueError("at least one inspector per target")
    pool = sorted(targets, key=lambda t: t.id)
    k = sample_count(ratio, len(pool))
    keyed = sorted(
        pool,
        key=lambda t: (-(math.log(uniform(seed, "target", t.id)) / max(t.weight, 1e-9)), t.id),
    )
    chosen = keyed[:k]
    load: dict[str, int] = {}
    out: list[Assignment] = []
    people = sorted(inspectors, key=lambda i: i.code)
    for t in chosen:
        matching = [i for i in people if t.specialty in i.specialties]
        recused = tuple(i.code for i in matching if t.id in i.past_employers)
        eligible = [
            i
            for i in matching
            if i.code not in recused
            and (max_assignments is None or load.get(i.code, 0) < max_assignments)
        ]
        eligible.sort(key=lambda i: (uniform(seed, "inspector", t.id, i.code), i.code))
        picked = tuple(i.code for i in eligible[:per_target])
        for c in picked:
            load[c] = load.get(c, 0) + 1
        out.append(
            Assignment(t.id, t.specialty, t.weight, picked, recused, len(picked) < per_target)
        )
    return DrawResult(ratio, per_target, len(pool), tuple(out))


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    commitment_ok: bool
    result_ok: bool
    expected_digest: str | None
    actual_digest: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "commitment_ok": self.commitment_ok,
            "result_ok": self.result_ok,
            "published_result_digest": self.expected_digest,
            "recomputed_result_digest": self.actual_digest,
        }


def verify_draw(
    seed: str,
    published_commitment: str,
    published_directory: Mapping[str, Any],
    ratio: float,
    per_target: int,
    published_result_digest: str | None,
    max_assignments: int | None = None,
) -> Verification:
    """Re-run a published draw from its revealed seed and compare."""
    c_ok = commitment(seed) == published_commitment
    targets, inspectors = from_directory(published_directory)
    result = run_draw(seed, targets, inspectors, ratio, per_target, max_assignments)
    r_ok = result.digest == published_result_digest
    return Verification(c_ok and r_ok, c_ok, r_ok, published_result_digest, result.digest)
