"""Interface wording of the cooperation report, per language.

Kept as a small dict for now; the lead will move these strings into the gettext catalogues
(English as msgid, named placeholders only, ``ngettext`` for the English plurals below).
Registry content (counterpart names, agreement titles) is never translated: it is picked from
the ``*_zh`` / ``*_en`` columns with a visible fallback.
"""

from __future__ import annotations

from accordia.domain.cooperation import Headline

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "International cooperation",
        "as_of": "As of {date}",
        "since": "Changes since {date}",
        "figures": "Headline figures",
        "in_force": "Agreement documents in force on {date}: {in_force} of {agreements}.",
        "engaged": (
            "Organisations still joined, observed or tracked on {date}: {engaged} of {total}."
        ),
        "active": (
            "Systems and arrangements not withdrawn on {date}: {systems} of {systems_total} "
            "systems, {arrangements} of {arrangements_total} accreditation arrangements."
        ),
        "by_type": "Agreements by type",
        "by_economy": "Counterparts by economy",
        "by_year": "Agreements by year of signature",
        "chart_year": "Agreements signed per year",
        "chart_economy": "Counterpart bodies per economy",
        "type": "Type",
        "signed": "Signed",
        "in_force_col": "In force",
        "economy": "Economy",
        "bodies": "Bodies",
        "agreements": "Agreements",
        "year": "Year",
        "coop": "Cooperation agreements and MoUs",
        "cumulative": "Cumulative",
        "date": "Date",
        "what": "Change",
        "name": "Name",
        "detail": "Detail",
        "no_changes": "No changes.",
        "before": "On {date}: {sentence}",
        "economy_note": (
            "An agreement with counterparts in several economies is listed under each of them."
        ),
        "fallback_note": "† name given in the other language only.",
        "rules": (
            "Counted as of the date: what was signed or joined on or before it, each body, "
            "agreement and organisation once; terminated or expired agreements and "
            "organisations since left still count."
        ),
        # agreement types
        "type.cooperation_agreement": "Cooperation agreement",
        "type.mou": "Memorandum of understanding",
        "type.mutual_recognition_agreement": "Mutual recognition agreement",
        "type.protocol": "Protocol",
        "type.arrangement": "Arrangement",
        "type.other": "Other",
        # membership statuses
        "status.joined": "joined",
        "status.observer": "observer",
        "status.tracked": "tracked",
        "status.left": "left",
        # changes
        "change.agreement_signed": "Agreement signed",
        "change.agreement_ended": "Agreement terminated or expired",
        "change.counterpart_added": "New counterpart",
        "change.economy_added": "New country or region",
        "change.organisation_added": "Organisation joined or tracked",
        "change.membership_changed": "Membership status changed",
        "change.system_signed": "Recognition system signed",
        "change.accreditation_arrangement_signed": "Accreditation arrangement signed",
    },
    "zh": {
        "title": "国际合作",
        "as_of": "截至{date}",
        "since": "{date}以来的变化",
        "figures": "主要数据",
        "in_force": "截至{date}仍然有效的协议文件{in_force}份（共{agreements}份）。",
        "engaged": "截至{date}仍加入、以观察员身份参加或跟踪的组织{engaged}个（共{total}个）。",
        "active": (
            "截至{date}未退出的多边检测认证互认体系{systems}个（共{systems_total}个），"
            "认可互认协议{arrangements}个（共{arrangements_total}个）。"
        ),
        "by_type": "按协议类型统计",
        "by_economy": "按国家和地区统计合作机构",
        "by_year": "按签署年份统计协议",
        "chart_year": "各年签署协议数",
        "chart_economy": "各国家和地区合作机构数",
        "type": "类型",
        "signed": "已签署",
        "in_force_col": "有效",
        "economy": "国家或地区",
        "bodies": "机构",
        "agreements": "协议",
        "year": "年份",
        "coop": "合作协议和谅解备忘录",
        "cumulative": "累计",
        "date": "日期",
        "what": "变化",
        "name": "名称",
        "detail": "说明",
        "no_changes": "无变化。",
        "before": "{date}时：{sentence}",
        "economy_note": "一份协议的合作机构分属多个国家和地区的，在每个国家和地区下分别列出。",
        "fallback_note": "† 仅有另一种语言的名称。",
        "rules": (
            "统计口径：截至统计日已签署或加入的，机构、协议和组织各计一次；"
            "已终止或到期的协议、已退出的组织仍计入。"
        ),
        "type.cooperation_agreement": "合作协议",
        "type.mou": "谅解备忘录",
        "type.mutual_recognition_agreement": "互认协议",
        "type.protocol": "议定书",
        "type.arrangement": "安排",
        "type.other": "其他",
        "status.joined": "加入",
        "status.observer": "观察员",
        "status.tracked": "跟踪",
        "status.left": "退出",
        "change.agreement_signed": "新签协议",
        "change.agreement_ended": "协议终止或到期",
        "change.counterpart_added": "新增合作机构",
        "change.economy_added": "新增国家或地区",
        "change.organisation_added": "新加入或跟踪组织",
        "change.membership_changed": "组织参与状态变化",
        "change.system_signed": "新签多边检测认证互认体系",
        "change.accreditation_arrangement_signed": "新签认可互认协议",
    },
}


# English singular and plural of each counted phrase (``ngettext`` once in the catalogues).
_EN_FORMS: dict[str, tuple[str, str]] = {
    "bodies": ("body", "bodies"),
    "economies": ("country or region", "countries and regions"),
    "agreements": ("agreement document", "agreement documents"),
    "cooperation_and_mous": ("cooperation agreement or MoU", "cooperation agreements and MoUs"),
    "organisations": (
        "international or regional organisation",
        "international or regional organisations",
    ),
    "systems": (
        "multilateral testing and certification recognition system",
        "multilateral testing and certification recognition systems",
    ),
    "accreditation_arrangements": ("accreditation arrangement", "accreditation arrangements"),
}

_EN_SENTENCE = (
    "Agreements with {bodies} in {economies}, {agreements}, of which {cooperation_and_mous}; "
    "{organisations} joined or tracked; {systems} and {accreditation_arrangements} signed."
)


def headline_en(h: Headline) -> str:
    """DOMAIN.md's sentence in English, with singulars where a count is 1."""
    parts = {}
    for field, (one, other) in _EN_FORMS.items():
        count: int = getattr(h, field)
        parts[field] = f"{count} {one if count == 1 else other}"
    return _EN_SENTENCE.format(**parts)


def headline_zh(h: Headline) -> str:
    """DOMAIN.md's sentence in Chinese (the phrasing of CNCA's own reports)."""
    return (
        f"与{h.economies}个国家和地区的{h.bodies}个机构签署合作文件{h.agreements}份，"
        f"其中合作协议和谅解备忘录{h.cooperation_and_mous}份；"
        f"加入或跟踪{h.organisations}个国际或区域组织；"
        f"签署{h.systems}个多边检测认证互认体系和{h.accreditation_arrangements}个认可互认协议。"
    )
