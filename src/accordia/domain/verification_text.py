"""The wording of verdicts: every reason, in Chinese and English (pure, no I/O).

:mod:`accordia.domain.verification` decides; this module says it. A reason is built from
clauses, each a ``(zh, en)`` pair, joined per language (``；`` / ``; ``) and closed as one
sentence per language (:func:`sentence`). Registry content (names, numbers, scope codes) is
quoted as the registry holds it; nothing is machine-translated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from accordia.domain.bilingual import Bilingual
from accordia.domain.status import Status

if TYPE_CHECKING:
    from accordia.domain.recognition import (
        AccreditationFacts,
        AccreditationRef,
        ArrangementFacts,
        Finding,
        Graph,
        IssuerCoverage,
        MarketAcceptanceFacts,
        Reached,
    )

Clause = tuple[str, str]

STATUS: dict[Status, Clause] = {
    Status.ACTIVE: ("有效", "active"),
    Status.SUSPENDED: ("暂停", "suspended"),
    Status.WITHDRAWN: ("撤销", "withdrawn"),
    Status.EXPIRED: ("过期", "expired"),
    Status.NOT_YET: ("尚未生效", "not yet in effect"),
}

KIND: dict[str, Clause] = {
    "ms_certificate": ("管理体系认证证书", "management-system certificate"),
    "product_certificate": ("产品认证证书", "product certificate"),
    "persons_certificate": ("人员认证证书", "certificate of persons"),
    "test_report": ("检测报告", "test report"),
    "calibration_certificate": ("校准证书", "calibration certificate"),
    "medical_report": ("医学检验报告", "medical laboratory report"),
    "inspection_report": ("检验报告", "inspection report"),
    "verification_statement": ("核查声明", "verification statement"),
    "validation_statement": ("审定声明", "validation statement"),
}

ISSUE_DATE: Clause = ("证书颁发日", "the issue date")
DATE_ASKED: Clause = ("查询日", "the date asked")

STATUS_CODES = frozenset({Status.SUSPENDED.value, Status.WITHDRAWN.value, Status.EXPIRED.value})


def kind(k: str) -> Clause:
    return KIND.get(k, (k, k))


def join(items: Sequence[str]) -> str:
    return ", ".join(items)


def clauses(parts: Sequence[Clause]) -> Clause:
    """Clauses built per language, joined per language."""
    return "；".join(p[0] for p in parts), "; ".join(p[1] for p in parts)


def sentence(parts: Sequence[Clause]) -> Bilingual:
    """One sentence per language from (zh, en) clauses: capitalised and closed."""
    zh, en = clauses(parts)
    return Bilingual(f"{zh}。", f"{en[:1].upper()}{en[1:]}.")


# --- link 1: certificate -----------------------------------------------------------------------


def certificate_ok(n: str, on: dt.date, issued: dt.date, exp: dt.date | None) -> Bilingual:
    until = (
        (f"有效期至 {exp}", f"valid until {exp}")
        if exp
        else ("未载明到期日", "with no expiry date stated")
    )
    return Bilingual(
        f"证书 {n} 在 {on} 有效：{issued} 颁发，{until[0]}，当日未被暂停或撤销。",
        f"Certificate {n} was valid on {on}: issued on {issued}, {until[1]}, and neither "
        f"suspended nor withdrawn on that date.",
    )


def certificate_not_issued(n: str, issued: dt.date, on: dt.date) -> Clause:
    return (
        f"证书 {n} 于 {issued} 颁发，{on} 时尚未颁发",
        f"certificate {n} was issued on {issued}; on {on} it did not yet exist",
    )


def certificate_suspended(n: str, since: dt.date | None, on: dt.date) -> Clause:
    return (
        f"证书 {n} 自 {since} 起被暂停，{on} 时仍处于暂停状态，暂停期间证书无效",
        f"certificate {n} was suspended from {since} and still suspended on {on}; a suspended "
        f"certificate is not valid",
    )


def certificate_withdrawn(n: str, since: dt.date | None, on: dt.date) -> Clause:
    return (
        f"证书 {n} 已于 {since} 被撤销，{on} 时无效",
        f"certificate {n} was withdrawn on {since} and was not valid on {on}",
    )


def certificate_past_expiry(n: str, exp: dt.date, on: dt.date) -> Clause:
    return (
        f"证书 {n} 的有效期至 {exp}，{on} 时已过期",
        f"certificate {n} was valid until {exp}; on {on} it had expired",
    )


def certificate_recorded_expired(n: str, since: dt.date | None) -> Clause:
    return (
        f"证书 {n} 自 {since} 起已过期",
        f"certificate {n} was recorded as expired from {since}",
    )


def certificate_not_yet(n: str, on: dt.date) -> Clause:
    return (f"证书 {n} 在 {on} 尚未生效", f"certificate {n} was not yet in effect on {on}")


# --- link 2: accreditation ---------------------------------------------------------------------


def cab_label(name: Bilingual, issuer: str) -> Clause:
    """The issuer as named in each language, with its registration number."""
    zh, en = name.zh or name.en or "", name.en or name.zh or ""  # as Bilingual.pick falls back
    return (f"{zh}（{issuer}）" if zh else issuer, f"{en} ({issuer})" if en else issuer)


def wrong_cab_standard(cab_standard: str, cert_kind: str, allowed: frozenset[str]) -> Clause:
    k, want = kind(cert_kind), " / ".join(sorted(allowed))
    return (
        f"该认可依据 {cab_standard}，而{k[0]}须依据 {want} 认可",
        f"it is an accreditation to {cab_standard}, whereas a {k[1]} requires one to {want}",
    )


def scope_not_covered(d: dt.date, which: Clause, missing: Sequence[str]) -> Clause:
    return (
        f"{d}（{which[0]}）认可范围不覆盖 {join(missing)}",
        f"on {d} ({which[1]}) its scope did not cover {join(missing)}",
    )


def approval_not_active(d: dt.date, which: Clause, st: Status, since: dt.date | None) -> Clause:
    s = STATUS[st]
    extra = (f"（自 {since} 起）", f" (since {since})") if since else ("", "")
    return (
        f"{d}（{which[0]}）监管机构对该机构的批准处于{s[0]}状态{extra[0]}",
        f"on {d} ({which[1]}) the regulator's approval of the body was {s[1]}{extra[1]}",
    )


def accreditation_not_active(
    acc: AccreditationFacts,
    st: Status,
    d: dt.date,
    which: Clause,
    granted: dt.date | None,
    since: dt.date | None,
) -> Clause:
    """``granted``: the first grant (asked when not yet in effect); ``since``: when the
    status began (asked otherwise)."""
    s = STATUS[st]
    if st is Status.EXPIRED and acc.valid_until and d > acc.valid_until:
        extra = (f"，有效期至 {acc.valid_until}", f" (valid until {acc.valid_until})")
    elif st is Status.NOT_YET:
        extra = (f"，{granted} 才获认可", f" (granted only on {granted})") if granted else ("", "")
    else:
        extra = (f"（自 {since} 起）", f" (since {since})") if since else ("", "")
    return (
        f"{d}（{which[0]}）该认可处于{s[0]}状态{extra[0]}",
        f"on {d} ({which[1]}) the accreditation was {s[1]}{extra[1]}",
    )


def accreditation_ref_unknown(ref: AccreditationRef, issuer: Clause) -> Bilingual:
    return Bilingual(
        f"证书载明依据 {ref.body} 的认可 {ref.number} 颁发，但本登记簿没有{issuer[0]}"
        f"持有该认可的记录，无法确认。",
        f"The certificate states it was issued under accreditation {ref.number} by "
        f"{ref.body}, but the registry holds no record of {issuer[1]} holding it, so it "
        f"cannot be confirmed.",
    )


def no_accreditation(issuer: Clause) -> Bilingual:
    return Bilingual(
        f"本登记簿没有{issuer[0]}的任何认可记录，无法确认其认可。",
        f"The registry holds no accreditation of {issuer[1]}; the accreditation cannot be "
        f"confirmed.",
    )


def accreditation_ok(
    issuer: Clause, acc: AccreditationFacts, issued: dt.date, on: dt.date, items: str
) -> Bilingual:
    when = (
        f"在证书颁发日 {issued} 和 {on} 均有效",
        f"in force both on the issue date {issued} and on {on}",
    )
    if issued == on:
        when = (f"在证书颁发日 {on} 有效", f"in force on the issue date {on}")
    return Bilingual(
        f"{issuer[0]}持有 {acc.body} 颁发的认可 {acc.number}（{acc.cab_standard}），"
        f"{when[0]}，认可范围覆盖 {items}。",
        f"{issuer[1]} held accreditation {acc.number} from {acc.body} "
        f"({acc.cab_standard}), {when[1]}, with a scope covering {items}.",
    )


def accreditation_failed(
    issuer: Clause, acc: AccreditationFacts, problems: Sequence[Clause], checked: int
) -> Bilingual:
    why = clauses(problems)
    more = ("", "")
    if checked > 1:
        more = (
            f"（共核查 {checked} 项认可，均不满足）",
            f" ({checked} accreditations checked, none fits)",
        )
    return Bilingual(
        f"{issuer[0]}的认可 {acc.number}（{acc.body}）不能支持该证书：{why[0]}{more[0]}。",
        f"Accreditation {acc.number} ({acc.body}) of {issuer[1]} does not support this "
        f"certificate: {why[1]}{more[1]}.",
    )


# --- link 3: arrangement -----------------------------------------------------------------------


def describe(r: Reached, who: str, items: str, on: dt.date, g: Graph) -> Clause:
    """One reached arrangement, as a clause in each language."""
    a, origin = r.arrangement, r.route[0]
    if r.via == "direct":
        return (
            f"{who} 在 {on} 是 {a} 在 {items} 范围的签约方",
            f"{who} was a signatory of {a} for {items} on {on}",
        )
    if r.via == "bilateral":
        return (
            f"{who} 是 {a} 下指定的合格评定机构，{on} 时指定范围覆盖 {items}",
            f"{who} was a body designated under {a}, its designation covering {items} on {on}",
        )
    prev = r.route[-2]
    if r.via == "regional":
        return (
            f"{who} 是区域协议 {origin} 的签约方，{a} 在 {on} 承认 {prev} 的 {items} 范围",
            f"{who} was a signatory of the regional arrangement {origin}, and {a} recognised "
            f"{prev} for {items} on {on}",
        )
    when = g.by_key[prev].succeeded_on if prev in g.by_key else None
    return (
        f"{a} 自 {when} 起承继 {prev}，{who} 的签约资格随之延续",
        f"{a} succeeded {prev} on {when}, and {who}'s signatory status carried over",
    )


def explain(f: Finding, who: str, items: str, on: dt.date) -> Clause:
    """A :class:`Finding` for one or more scope items, as a clause in each language."""
    a, since = f.arrangement, f.since
    if f.code == "no_record":
        return f"{who} 没有 {items} 范围的签约记录", f"{who} holds no signatory record for {items}"
    if f.code == "regional_only":
        return (
            f"{who} 是区域协议 {a} 在 {items} 范围的签约方，"
            f"但 {on} 时没有全球协议承认 {a} 的该范围",
            f"{who} was a signatory of the regional arrangement {a} for {items}, but no global "
            f"arrangement recognised {a} for that scope on {on}",
        )
    if f.code == "not_yet":
        return (
            f"{who} 在 {a} 的 {items} 范围签约资格自 {since} 起生效，{on} 时尚未生效",
            f"{who}'s signatory status in {a} for {items} took effect only on {since}, after {on}",
        )
    if f.code in STATUS_CODES:
        zh, en = STATUS[Status(f.code)]
        return (
            f"{who} 在 {a} 的 {items} 范围签约资格自 {since} 起{zh}",
            f"{who}'s signatory status in {a} for {items} was {en} from {since}",
        )
    return (
        f"{who} 在 {on} 不是任何协议在 {items} 范围的签约方",
        f"{who} was not a signatory of any arrangement for {items} on {on}",
    )


def designation_not_covering(who: str, items: str) -> Clause:
    return f"{who} 的指定范围不覆盖 {items}", f"{who}'s designation does not cover {items}"


def not_designated_for_stated_scope(issuer: str, scope: str) -> Clause:
    return (
        f"{issuer} 的指定范围为 {scope}，证书未载明可与之比对的产品范围",
        f"{issuer} is designated for {scope}, but the certificate states no product scope "
        f"to compare with it",
    )


def outside_arrangements(cab_standard: str, standard: str) -> Clause:
    return (
        f"依据 {cab_standard} 对 {standard} 的认证不属于任何承认协议的范围",
        f"no arrangement scope covers certification to {standard} under {cab_standard}",
    )


NO_ACCREDITATION_BODY = Bilingual(
    "没有可用的认可，无法确定认可机构，因而无法核查其签约资格。",
    "With no usable accreditation there is no accreditation body whose signatory "
    "status could be checked.",
)


# --- link 4: market ----------------------------------------------------------------------------

NO_MARKET = Bilingual(
    "未指定市场：本结论只核查证书是否有效及其认可链，不判断在某一市场是否获承认。",
    "No market was given: the verdict covers validity and the accreditation chain, "
    "not recognition in a particular market.",
)


def no_arrangement_for_market(market: str) -> Bilingual:
    return Bilingual(
        f"没有可供核查的承认协议，无法判断市场 {market} 是否接受。",
        f"There is no arrangement to check, so acceptance in market {market} cannot be assessed.",
    )


def market_accepts(market: str, a: MarketAcceptanceFacts, cert_kind: str, on: dt.date) -> Bilingual:
    k = kind(cert_kind)
    scope = (f"（范围 {a.scope}）", f" (scope {a.scope})") if a.scope else ("", "")
    return Bilingual(
        f"市场 {market} 在 {on} 接受经 {a.arrangement} 承认的{k[0]}{scope[0]}。",
        f"Market {market} accepted {k[1]}s recognised through {a.arrangement} on {on}{scope[1]}.",
    )


def other_party_accepts(party: ArrangementFacts, market: str, cert_kind: str) -> Bilingual:
    k = kind(cert_kind)
    return Bilingual(
        f"{party.key} 是 {'、'.join(party.parties)} 之间的协议，市场 {market} 作为另一方"
        f"接受依该协议指定的机构出具的{k[0]}。",
        f"{party.key} is an agreement between {' and '.join(party.parties)}; as the other "
        f"party, market {market} accepts {k[1]}s from bodies designated under it.",
    )


def market_rejects(market: str, candidates: Sequence[str], cert_kind: str) -> Clause:
    k = kind(cert_kind)
    return (
        f"市场 {market} 不接受经 {join(candidates)} 承认的{k[0]}",
        f"market {market} does not accept {k[1]}s recognised through {join(candidates)}",
    )


def refusal(
    a: MarketAcceptanceFacts,
    market: str,
    cert_kind: str,
    cert_scope: Sequence[str],
    why: Sequence[str],
    on: dt.date,
) -> Clause:
    """Why an acceptance row of ``market`` does not apply (``why``: its failed conditions)."""
    k = kind(cert_kind)
    if "kind" in why:
        ak = kind(a.attestation_kind)
        return (
            f"市场 {market} 对 {a.arrangement} 的接受仅限于{ak[0]}，不包括{k[0]}",
            f"market {market} accepts {a.arrangement} only for {ak[1]}s, not for {k[1]}s",
        )
    if "scope" in why:
        stated = join(cert_scope)
        return (
            f"市场 {market} 对 {a.arrangement} 的接受限于范围 {a.scope}，"
            f"不覆盖{f' {stated}' if stated else '证书（证书未载明范围）'}",
            f"market {market} accepts {a.arrangement} only for scope {a.scope}, which does not "
            f"cover {stated or 'the certificate (no scope stated)'}",
        )
    start = (f"自 {a.valid_from} 起", f"from {a.valid_from}") if a.valid_from else ("", "")
    end = (f"至 {a.valid_until} 止", f"until {a.valid_until}") if a.valid_until else ("", "")
    return (
        f"市场 {market} 对 {a.arrangement} 的接受{start[0]}{end[0]}，不含 {on}",
        f"market {market} accepts {a.arrangement} {' '.join(x for x in (start[1], end[1]) if x)},"
        f" which does not include {on}",
    )


# --- no record, several records ----------------------------------------------------------------


def coverage_text(issuer: str | None, c: IssuerCoverage | None) -> Clause:
    if c is None and issuer:
        return (
            f"发证机构 {issuer} 不在本登记簿中，因此无从判断",
            f"the issuer {issuer} is not known to the registry, so nothing can be concluded",
        )
    if c is None:
        return ("查询未指定发证机构", "no issuer was given")
    last, n = c.last_submitted_on or "—", c.certificate_count
    if c.submits:
        return (
            f"{c.issuer} 向本登记簿报送证书（现有 {n} 张，最近一次报送于 {last}），"
            f"没有记录值得向发证机构核实",
            f"{c.issuer} submits its certificates to the registry ({n} on record, last "
            f"submission on {last}); the missing record is worth checking with the issuer",
        )
    return (
        f"{c.issuer} 不向本登记簿报送证书（现有 {n} 张），没有记录并不说明问题，请向发证机构核实",
        f"{c.issuer} does not submit its certificates to the registry ({n} on record), so the "
        f"absence says nothing; check with the issuer",
    )


def not_found_reason(
    number: str, issuer: str | None, coverage: IssuerCoverage | None, similar: int
) -> Bilingual:
    by = (f"（发证机构 {issuer}）", f" issued by {issuer}") if issuer else ("", "")
    cov = coverage_text(issuer, coverage)
    near = ("", "")
    if similar:
        near = (
            f"另有 {similar} 条相近记录，见候选列表。",
            f" {similar} similar records are listed as candidates.",
        )
    return Bilingual(
        f"本登记簿没有编号为 {number}{by[0]} 的证书记录。这并不等于证书无效：{cov[0]}。{near[0]}",
        f"The registry holds no certificate numbered {number}{by[1]}. This is not a "
        f"finding that it is invalid: {cov[1]}.{near[1]}",
    )


def ambiguous_reason(number: str, count: int, issuers: str) -> Bilingual:
    return Bilingual(
        f"本登记簿有 {count} 份编号为 {number} 的证书，发证机构分别为 {issuers}。"
        f"请指定发证机构（--issuer）后再查。",
        f"The registry holds {count} certificates numbered {number}, issued "
        f"by {issuers}. Name the issuer (--issuer) to choose one.",
    )


NOT_EVALUATED = Bilingual(
    "未找到唯一的证书，本环节未核查。", "No single certificate was found; not evaluated."
)
