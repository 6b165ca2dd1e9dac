"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from accordia.models import cooperation
from accordia.models.account import ApiToken, User, WebSession  # noqa: F401  (accounts)
from accordia.models.accreditation import Accreditation, AccreditationEvent, AccreditationScopeItem
from accordia.models.arrangement import (
    Arrangement,
    ArrangementParty,
    ArrangementRecognition,
    RecognitionEvent,
    Signatory,
    SignatoryEvent,
    SignatoryScope,
)
from accordia.models.audit import AuditEntry
from accordia.models.body import (
    AccreditationBody,
    Association,
    AssociationMembership,
    BodyApprovalEvent,
    Cab,
    Regulator,
)
from accordia.models.certificate import (
    Certificate,
    CertificateEvent,
    CertificateScopeItem,
    CertificateSite,
    GhgFigure,
)
from accordia.models.discipline import ConductCode  # noqa: F401  (self-discipline)
from accordia.models.economy import Economy, EconomyGroupMember
from accordia.models.market import MarketAcceptance
from accordia.models.organization import Organization, OrganizationIdentifier, Site
from accordia.models.search import SearchEntity, SearchTerm, SearchToken
from accordia.models.standard import ScopeCode, Standard
from accordia.models.supervision import CertificationAudit  # noqa: F401  (supervision)

__all__ = [
    "Accreditation",
    "AccreditationBody",
    "AccreditationEvent",
    "AccreditationScopeItem",
    "Arrangement",
    "ArrangementParty",
    "ArrangementRecognition",
    "Association",
    "AssociationMembership",
    "AuditEntry",
    "BodyApprovalEvent",
    "Cab",
    "Certificate",
    "CertificateEvent",
    "CertificateScopeItem",
    "CertificateSite",
    "Economy",
    "EconomyGroupMember",
    "GhgFigure",
    "MarketAcceptance",
    "Organization",
    "OrganizationIdentifier",
    "RecognitionEvent",
    "Regulator",
    "ScopeCode",
    "SearchEntity",
    "SearchTerm",
    "SearchToken",
    "Signatory",
    "SignatoryEvent",
    "SignatoryScope",
    "Site",
    "Standard",
    "cooperation",
]
