"""Supervision (issue 7): legal norms as checkable rules, the risk score, the verifiable draw.

Pure functions over plain facts: no database, no clock. :mod:`accordia.services.supervision`
loads the facts in batches and stores what these functions return.
"""

from accordia.domain.supervision.facts import (
    AccreditationFacts,
    AuditFacts,
    BodyFacts,
    CertificateFacts,
    Hit,
)
from accordia.domain.supervision.rules import (
    BODY_RULES,
    CERTIFICATE_RULES,
    GROUP_RULES,
    RULES,
    RuleSpec,
    Severity,
    check_certificate,
)

__all__ = [
    "BODY_RULES",
    "CERTIFICATE_RULES",
    "GROUP_RULES",
    "RULES",
    "AccreditationFacts",
    "AuditFacts",
    "BodyFacts",
    "CertificateFacts",
    "Hit",
    "RuleSpec",
    "Severity",
    "check_certificate",
]
