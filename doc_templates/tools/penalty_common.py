"""Shared parts of the penalty template generator: output paths, reusable Jinja fragments, layout helpers and the
registry that the section modules fill with the `template` decorator."""

from __future__ import annotations

import json
from pathlib import Path

from docxbuild import Form, lab, val

OUT = Path(__file__).resolve().parent.parent / "penalty"
FORMS = Path(__file__).resolve().parents[2] / "workflows" / "penalty" / "forms"
# The 法制审核 checklist as (field, 中文要点), in the form's order: the opinion prints each point by its Chinese name.
REVIEW_ITEMS = [(k, v["title"]) for k, v in json.loads((FORMS / "legal_review.json").read_text("utf-8"))
                ["properties"]["review_checklist"]["properties"].items()]

# -- reusable Jinja fragments ---------------------------------------------------------------------------------------

OFFICERS = "{{ officers|map(attribute='name')|join_cn }}"
OFFICERS_CERTS = ("{% for o in officers %}{% if not loop.first %}、{% endif %}"
                  "{{ o.name }}（执法证号：{{ o.cert_no }}）{% endfor %}")
ID_LABEL = "{% if party.type == '自然人' %}身份证号码{% else %}统一社会信用代码{% endif %}"
ADDRESS_LABEL = "{% if party.type == '自然人' %}住址{% else %}住所{% endif %}"
PENALTY = ("{% for k in penalty_kinds %}{% if not loop.first %}；{% endif %}"
           "{% if k == '罚款' %}罚款{{ fine_amount|cn_amount }}"
           "{% elif k == '没收违法所得' %}没收违法所得{{ illegal_income|cn_amount }}"
           "{% else %}{{ k }}{% endif %}{% endfor %}")
MONEY_DUE = ("{% if '罚款' in penalty_kinds %}罚款{{ fine_amount|cn_amount }}{% endif %}"
             "{% if '没收违法所得' in penalty_kinds %}{% if '罚款' in penalty_kinds %}；{% endif %}"
             "没收违法所得{{ illegal_income|cn_amount }}{% endif %}")
PROPOSAL = ("{% if outcome == '处罚' %}给予行政处罚：" + PENALTY
            + "{% elif outcome == '不予处罚' %}不予行政处罚（{{ no_penalty_reason.rstrip('。.；;，, ') }}）"
            "{% elif outcome == '移送司法机关' %}涉嫌{{ transfer.crime }}，移送司法机关"
            "{% else %}撤销立案{% endif %}")
APPROVAL = ("{% if approval_opinion %}{{ approval_opinion }}"
            "{% elif approved %}同意。{% else %}不同意。{% endif %}")
# The account as lines of their own: a long account number inside a justified sentence stretches the line before it.
BANK_LINES = ["开户银行：{{ payment.bank }}", "户　　名：{{ payment.account_name }}", "账　　号：{{ payment.account_no }}"]
REMEDY = ("如不服本决定，可以在收到本决定书之日起六十日内向{{ agency.parent_government }}申请行政复议，"
          "也可以在六个月内依法向{{ agency.court }}提起行政诉讼。")
SURCHARGE = ("到期不缴纳罚款的，本局可以依据《中华人民共和国行政处罚法》第七十二条第一款第一项的规定，"
             "每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额。")
SIGN_DATE = "{{ doc.date|ymd }}"


def when(var: str) -> str:
    """An ISO date or date-time as 2026年3月9日 09:30."""
    return f"{{{{ {var}|ymd }}}}{{% if {var}|length > 10 %}} {{{{ {var}[11:16] }}}}{{% endif %}}"


def listing(var: str) -> str:
    """A field that may hold text or a list of texts."""
    return f"{{% if {var} is string %}}{{{{ {var} }}}}{{% else %}}{{{{ {var}|join_cn }}}}{{% endif %}}"


def party_paragraphs(f: Form, label: str = "当事人") -> None:
    f.para(f"{label}：{{{{ party.name }}}}", indent=False)
    f.para(ID_LABEL + "：{{ party.id_no }}", indent=False)
    f.tag("{%p if party.type != '自然人' %}")
    f.para("法定代表人（负责人）：{{ party.legal_rep }}", indent=False)
    f.tag("{%p endif %}")
    f.para(ADDRESS_LABEL + "：{{ party.address }}", indent=False)


def party_rows(label: str = "当事人") -> list:
    return [
        [lab(label), val("{{ party.name }}", 3)],
        [lab(ID_LABEL), val("{{ party.id_no }}"), lab("联系电话"), val("{{ party.phone }}")],
        ("tr", "if party.type != '自然人'"),
        [lab("法定代表人（负责人）"), val("{{ party.legal_rep }}", 3)],
        ("tr", "endif"),
        [lab(ADDRESS_LABEL), val("{{ party.address }}", 3)],
    ]


def opinion(label: str, lines: list[str], signer: str, height: float = 22) -> tuple:
    return (height, [lab(label), val([*lines, ">>" + signer], 3)])


def blank_opinion(label: str = "审核意见", height: float = 18) -> tuple:
    return (height, [lab(label), val(["", ">>签名：　　　　　　　　年　　月　　日"], 3)])


def head_opinion() -> tuple:
    return opinion("负责人意见", [APPROVAL], "负责人：{{ actor.name }}　　" + SIGN_DATE)


def contact(f: Form) -> None:
    f.note("联系人：" + OFFICERS + "　　联系电话：{{ agency.phone }}")
    f.note("联系地址：{{ agency.address }}", before=0)


W4 = [38, 54, 24, 40]
REGISTRY: dict[str, dict] = {}


def template(key: str, title: str, number_kind: str | None, volume: str, statute: str, statutory: list[str],
             requires_passed_review: bool = False, number_label: str = ""):
    """Register a builder: it receives a Form with the heading already written."""

    def register(build):
        REGISTRY[key] = {
            "file": f"{key}.docx", "title": title, "number_kind": number_kind, "volume": volume,
            "requires_passed_review": requires_passed_review, "statutory_fields": statutory, "statute": statute,
            "_build": build, "_number_label": number_label,
        }
        return build

    return register


def record_sign(f: Form, *lines: str) -> None:
    for line in lines:
        f.sign_line(line)
