"""Generate the first version of the 行政处罚 templates (doc_templates/penalty/*.docx and documents.json).

Run once: `.venv/bin/python doc_templates/tools/generate_penalty.py`. After that the committed .docx files are the
source of truth: designers edit them in Word or WPS, and this script is only a record of how they were first laid
out. Running it again OVERWRITES every penalty template and the registry, discarding designers' edits.

Layout follows the 市场监督管理行政处罚文书格式范本 (2021) on GB/T 9704 pages: agency name and title centred in bold
宋体, 文号 right-aligned, body in 仿宋 三号 with a two-character first-line indent, 落款 with the agency, a seal
placeholder and the date; approval forms and records (审批表, 笔录) are bordered tables. Templates read only the
case data dictionary and built-ins of workflows/README.md; `{%p %}` / `{%tr %}` are docxtpl paragraph and row tags.
"""

from __future__ import annotations

import json
import sys
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


# -- 立案 ----------------------------------------------------------------------------------------------------------


@template("case_source_register", "案件来源登记表", None, "副卷", "处罚法第五十四条",
          ["案件来源", "登记时间", "当事人", "基本情况", "登记人"])
def case_source_register(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案件来源"), val("{{ source.kind }}"), lab("登记时间"), val("{{ source.received_on|ymd }}")],
        [lab("线索提供人或移送单位"), val("{{ source.reporter }}", 3)],
        *party_rows(),
        [lab("案由"), val("{{ cause }}", 3)],
        [lab("发现日期"), val("{{ discovered_on|ymd }}"), lab("拟适用程序"), val("{{ procedure_kind }}")],
        (50, [lab("案件来源及基本情况"), val("{{ source.description }}", 3)]),
        opinion("登记人", [""], "登记人：{{ actor.name }}　　" + SIGN_DATE, 18),
    ])


def filing_form(f: Form, decision: str) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        [lab("案件来源"), val("{{ source.kind }}"), lab("发现日期"), val("{{ discovered_on|ymd }}")],
        *party_rows(),
        (36, [lab("案件来源及基本情况"), val(["{{ source.description }}", "核查情况：{{ verification_summary }}"], 3)]),
        (20, [lab(f"{decision}理由及依据"), val("{{ filing_reason }}", 3)]),
        opinion("承办人意见", ["建议{{ filing_proposal }}。"], "承办人：" + OFFICERS),
        blank_opinion(),
        head_opinion(),
    ])


@template("filing_approval", "立案审批表", None, "正卷", "处罚法第五十四条",
          ["案由", "案件来源", "当事人", "立案理由", "承办人意见", "审核意见", "负责人意见"])
def filing_approval(f: Form) -> None:
    filing_form(f, "立案")


@template("non_filing_approval", "不予立案审批表", None, "副卷", "处罚法第五十四条",
          ["案由", "案件来源", "当事人", "不予立案理由", "承办人意见", "负责人意见"])
def non_filing_approval(f: Form) -> None:
    filing_form(f, "不予立案")


@template("matter_approval", "行政处罚案件有关事项审批表", None, "副卷", "处罚法第五十六条、第六十条",
          ["审批事项", "案由", "当事人", "理由及依据", "承办人意见", "负责人意见"])
def matter_approval(f: Form) -> None:
    reasons = [
        "{%p if extension is defined and '延长' in task.name %}",
        "延长办案期限：{{ extension.reason.rstrip('。.；;，, ') }}（延长期限：{{ extension.period }}）",
        "{%p elif preservation is defined and '保存' in task.name %}",
        "先行登记保存：{{ preservation.reason.rstrip('。.；;，, ') }}。",
        "保存物品：{% for i in preservation['items'] %}{% if not loop.first %}、{% endif %}"
        "{{ i.name }}（{{ i.spec }}）{{ i.quantity }}{{ i.unit }}{% endfor %}；保存地点：{{ preservation.place }}",
        "{%p elif suspension is defined and '中止' in task.name %}",
        "中止调查：{{ suspension.reason.rstrip('。.；;，, ') }}（依据：{{ suspension.basis }}）",
        "{%p else %}",
        "详见案卷材料。",
        "{%p endif %}",
    ]
    f.case_line()
    f.table(W4, [
        [lab("审批事项"), val("{{ task.name }}", 3)],
        [lab("案由"), val("{{ cause }}", 3)],
        [lab("当事人"), val("{{ party.name }}", 3)],
        (36, [lab("理由及依据"), val(reasons, 3)]),
        opinion("承办人意见", ["建议批准。"], "承办人：" + OFFICERS, 20),
        blank_opinion(),
        head_opinion(),
    ])


# -- 调查取证 -------------------------------------------------------------------------------------------------------


@template("inquiry_notice", "询问通知书", "询通", "正卷", "处罚法第五十五条",
          ["接受询问", "如实回答", "回避", "联系人"])
def inquiry_notice(f: Form) -> None:
    f.addressee("{{ inquiry.person }}：")
    f.body(
        "为调查了解{{ party.name }}涉嫌{{ cause }}一案的有关情况，根据《中华人民共和国行政处罚法》第五十五条的规定，"
        "请你（单位）于" + when("inquiry.time") + "到{{ inquiry.place }}接受询问调查。",
        "请携带本人身份证明{% if party.type != '自然人' %}（法定代表人身份证明或者授权委托书、营业执照复印件）"
        "{% endif %}以及与本案有关的其他材料。",
        "你（单位）应当如实回答询问，协助调查，不得拒绝或者阻挠。你（单位）认为执法人员与本案有直接利害关系或者"
        "有其他关系可能影响公正执法的，有权申请回避。",
    )
    contact(f)
    f.signoff()


def record_sign(f: Form, *lines: str) -> None:
    for line in lines:
        f.sign_line(line)


@template("inquiry_record", "询问笔录", None, "正卷", "处罚法第五十五条",
          ["询问时间", "询问地点", "询问人", "记录人", "被询问人", "回避"])
def inquiry_record(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("询问时间"), val(when("inquiry.time"), 3)],
        [lab("询问地点"), val("{{ inquiry.place }}", 3)],
        [lab("询问人"), val("{{ officers[0].name }}"), lab("记录人"), val("{{ officers[1].name }}")],
        [lab("被询问人"), val("{{ inquiry.person }}"), lab("身份"), val("{{ inquiry.role }}")],
        [lab("案由"), val("{{ party.name }}涉嫌{{ cause }}", 3)],
        [val("告知：我们是{{ agency.name }}的执法人员" + OFFICERS_CERTS + "，已向你出示执法证件。现依法就"
             "{{ party.name }}涉嫌{{ cause }}一案向你进行询问调查。你应当如实回答问题，不得拒绝或者阻挠。"
             "你认为执法人员与本案有直接利害关系的，有权申请回避。", 4)],
        ("tr", "for r in inquiry.record"),
        [val(["问：{{ r.q }}", "答：{{ r.a }}"], 4)],
        ("tr", "endfor"),
    ])
    record_sign(
        f,
        "以上笔录已交被询问人阅读（或者向其宣读），被询问人确认与其所述一致。",
        "被询问人签名：　　　　　　　　　　　　　　年　　月　　日",
        "询问人签名：　　　　　　　　　记录人签名：",
    )


@template("onsite_record", "现场笔录", None, "正卷", "处罚法第五十五条",
          ["检查时间", "检查地点", "出示了执法证件", "现场情况", "执法人员"])
def onsite_record(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("检查时间"), val(when("inspection.time"), 3)],
        [lab("检查地点"), val("{{ inspection.place }}", 3)],
        *party_rows(),
        [lab("现场负责人或在场人"), val("{{ inspection.present_person }}", 3)],
        [lab("执法人员"), val(OFFICERS_CERTS, 3)],
        [val("执法人员向当事人（在场人）出示了执法证件，说明了检查的依据和内容，告知当事人依法享有申请回避、"
             "陈述和申辩的权利，当事人应当如实回答询问，协助检查，不得拒绝或者阻挠。", 4)],
        (50, [lab("现场情况"), val("{{ inspection.findings }}", 3)]),
    ])
    record_sign(
        f,
        "当事人（在场人）签名：　　　　　　　　　　　年　　月　　日",
        "执法人员签名：　　　　　　　　　　　　　　　年　　月　　日",
        "见证人签名（当事人拒绝签名或者不在场时）：",
    )


@template("evidence_extraction", "证据提取单", None, "正卷", "处罚法第四十六条、第五十五条",
          ["证据名称", "证据种类", "数量", "来源", "核对无误"])
def evidence_extraction(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("当事人"), val("{{ party.name }}", 3)],
        [lab("案由"), val("{{ cause }}", 3)],
    ])
    f.table([8, 34, 18, 14, 30, 24], [
        [lab("序号"), lab("证据名称"), lab("证据种类"), lab("数量"), lab("来源"), lab("备注")],
        ("tr", "for e in evidence"),
        [val("{{ loop.index }}", align="center"), val("{{ e.name }}"), val("{{ e.kind }}"),
         val("{{ e.quantity }}", align="center"), val("{{ e.source }}"), val("{{ e.note }}")],
        ("tr", "endfor"),
    ])
    f.para("以上证据由执法人员依法提取，经证据提供人核对无误；提取复制件的，已与原件核对一致。", size=14, line=24)
    record_sign(
        f,
        "证据提供人（签名或者盖章）：　　　　　　　　年　　月　　日",
        "执法人员（签名）：" + OFFICERS,
    )
    f.signoff(before=12)


@template("service_address_confirmation", "送达地址确认书", None, "正卷", "处罚法第六十一条",
          ["受送达人", "送达地址", "电子送达", "告知事项"])
def service_address_confirmation(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ party.name }}涉嫌{{ cause }}", 3)],
        [lab("受送达人"), val("{{ party.name }}", 3)],
        [lab("送达地址"), val("{{ party.address }}", 3)],
        [lab("联系电话"), val("{{ party.phone }}", 3)],
        [lab("是否同意电子送达"), val("□同意　　□不同意　　电子送达地址（电子邮箱、手机号码等）：", 3)],
        (60, [lab("告知事项"), val([
            "1．为便于及时收到行政执法文书，受送达人应当如实提供确切的送达地址和联系方式。",
            "2．确认的送达地址适用于本案行政处罚程序各阶段以及执行程序。送达地址变更的，应当及时书面告知本局；"
            "未告知的，按原地址送达即视为送达。",
            "3．因受送达人提供的送达地址不准确、送达地址变更未书面告知或者拒不提供送达地址，导致文书未能被实际接收的，"
            "文书退回之日视为送达之日。",
            "4．受送达人同意电子送达的，以电子文书到达受送达人特定系统的日期为送达日期。",
        ], 3)]),
        opinion("受送达人确认", ["本人（单位）已阅知上述告知事项，确认以上送达地址及联系方式真实、有效。"],
                "受送达人（签名或者盖章）：　　　　　　年　　月　　日", 24),
        [lab("执法人员"), val(OFFICERS, 3)],
    ])


@template("sampling_record", "抽样记录", None, "正卷", "处罚法第五十六条",
          ["抽样时间", "抽样地点", "被抽样", "抽样方法", "样品名称", "抽样数量"])
def sampling_record(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("抽样时间"), val(when("sampling.time"), 3)],
        [lab("抽样地点"), val("{{ sampling.place }}", 3)],
        *party_rows("被抽样单位（人）"),
        [lab("抽样方法"), val("{{ sampling.method }}", 3)],
        [lab("抽样人员"), val(OFFICERS_CERTS, 3)],
    ])
    f.table([8, 38, 26, 26, 30], [
        [lab("序号"), lab("样品名称"), lab("规格型号"), lab("批号或生产日期"), lab("抽样数量")],
        ("tr", "for i in sampling['items']"),
        [val("{{ loop.index }}", align="center"), val("{{ i.name }}"), val("{{ i.spec }}"), val("{{ i.batch }}"),
         val("{{ i.quantity }}", align="center")],
        ("tr", "endfor"),
    ])
    f.para("以上样品由抽样人员在被抽样人在场的情况下抽取，并经双方确认后封样，封条由双方签名或者盖章。",
           size=14, line=24)
    record_sign(
        f,
        "被抽样人（签名或者盖章）：　　　　　　　　　年　　月　　日",
        "抽样人员（签名）：　　　　　　　　　　　　　年　　月　　日",
    )


def item_table(f: Form) -> None:
    f.table([8, 46, 34, 20, 20], [
        [lab("序号"), lab("物品名称"), lab("规格"), lab("数量"), lab("单位")],
        ("tr", "for i in preservation['items']"),
        [val("{{ loop.index }}", align="center"), val("{{ i.name }}"), val("{{ i.spec }}"),
         val("{{ i.quantity }}", align="center"), val("{{ i.unit }}", align="center")],
        ("tr", "endfor"),
    ])


@template("preservation_notice", "先行登记保存证据通知书", "登保", "正卷", "处罚法第五十六条",
          ["先行登记保存", "第五十六条", "七个工作日内", "不得销毁或者转移证据", "保存地点"])
def preservation_notice(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "因你（单位）涉嫌{{ cause }}，{{ preservation.reason.rstrip('。.；;，, ') }}，在证据可能灭失或者以后难以取得的情况下，"
        "经本局负责人批准，依据《中华人民共和国行政处罚法》第五十六条的规定，本局决定对你（单位）的下列物品"
        "予以先行登记保存。保存地点：{{ preservation.place }}。",
        "在先行登记保存期间，你（单位）或者有关人员不得销毁或者转移证据。本局将在七个工作日内作出处理决定。",
    )
    item_table(f)
    f.sign_line("当事人（签名或者盖章）：　　　　　　　　　年　　月　　日")
    contact(f)
    f.signoff()


@template("preservation_release_notice", "解除先行登记保存证据通知书", "解保", "正卷", "处罚法第五十六条",
          ["先行登记保存", "解除"])
def preservation_release_notice(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局于{{ preserved_on|cn_date }}对你（单位）的下列物品采取了先行登记保存措施。依据《中华人民共和国行政处罚法》"
        "第五十六条的规定，本局决定自{{ doc.date|cn_date }}起解除先行登记保存。",
        "{%p if preservation_outcome.note %}",
        "{{ preservation_outcome.note }}",
        "{%p endif %}",
    )
    item_table(f)
    f.sign_line("当事人（签名或者盖章）：　　　　　　　　　年　　月　　日")
    f.signoff()


TEST_ITEMS = listing("test['items']")


@template("test_commission", "检测（检验、检疫、鉴定）委托书", "检委", "正卷", "处罚法第五十四条",
          ["委托", "委托事项", "检测目的", "出具"])
def test_commission(f: Form) -> None:
    f.addressee("{{ test.institution }}：")
    f.body(
        "本局在办理{{ party.name }}涉嫌{{ cause }}一案中，需要对有关物品进行检测（检验、检疫、鉴定）。现委托你单位"
        "依法进行检测（检验、检疫、鉴定），请于{{ test.expected_days }}日内出具检测（检验、检疫、鉴定）报告。",
        "委托事项：" + TEST_ITEMS,
        "检测目的：{{ test.purpose }}",
        "报告应当载明委托单位、委托事项、检测依据和结论，并由检测（检验、检疫、鉴定）人员签名、检测机构盖章。",
    )
    contact(f)
    f.signoff()


@template("test_period_notice", "检测（检验、检疫、鉴定）期间告知书", "期告", "正卷",
          "市场监督管理行政处罚程序规定", ["检测", "期间", "不计入"])
def test_period_notice(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局在办理你（单位）涉嫌{{ cause }}一案中，已委托{{ test.institution }}对" + TEST_ITEMS
        + "进行检测（检验、检疫、鉴定），所需期间预计为{{ test.expected_days }}日。",
        "根据《市场监督管理行政处罚程序规定》，检测（检验、检疫、鉴定）期间不计入案件办理期限。特此告知。",
    )
    f.signoff()


@template("test_result_notice", "检测（检验、检疫、鉴定）结果告知书", "结告", "正卷",
          "市场监督管理行政处罚程序规定", ["检测", "结论", "异议"])
def test_result_notice(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局委托{{ test.institution }}对" + TEST_ITEMS + "进行了检测（检验、检疫、鉴定），"
        "于{{ test_result.received_on|cn_date }}收到检测（检验、检疫、鉴定）结果，结论为：",
        "{{ test_result.conclusion }}",
        "你（单位）对上述结果有异议的，可以自收到本告知书之日起五个工作日内向本局书面提出复检（复验、重新鉴定）"
        "申请；法律、法规对复检另有规定的，从其规定。逾期未提出的，视为无异议。",
    )
    contact(f)
    f.signoff()


@template("rectification_order", "责令改正通知书", "责改", "正卷", "处罚法第二十八条",
          ["责令", "改正", "第二十八条", "申请行政复议", "提起行政诉讼"])
def rectification_order(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "经查，你（单位）存在{{ cause }}的行为{% if violated_provisions is defined %}，违反了{{ violated_provisions }}"
        "的规定{% endif %}。依据《中华人民共和国行政处罚法》第二十八条第一款的规定，本局责令你（单位）"
        "{{ rectification.requirement.rstrip('。.；;，, ') }}，并于{{ rectification.due_date|cn_date }}前改正完毕，改正情况请书面报告本局。"
        "逾期不改正的，本局将依法处理。",
        "如不服本通知，可以在收到本通知书之日起六十日内向{{ agency.parent_government }}申请行政复议，"
        "也可以在六个月内依法向{{ agency.court }}提起行政诉讼。",
    )
    contact(f)
    f.signoff()


@template("suspension_decision", "案件中止调查决定书", "中止", "正卷", "市场监督管理行政处罚程序规定",
          ["中止案件调查", "中止调查的原因消除后", "恢复"])
def suspension_decision(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局于{{ filed_on|cn_date }}立案调查的你（单位）涉嫌{{ cause }}一案，因{{ suspension.reason.rstrip('。.；;，, ') }}，"
        "依据{{ suspension.basis }}的规定，本局决定自{{ doc.date|cn_date }}起中止案件调查。",
        "中止调查的原因消除后，本局将及时恢复案件调查，并书面告知你（单位）。中止调查期间不计入案件办理期限。",
    )
    f.signoff()


@template("resumption_decision", "恢复案件调查决定书", "恢复", "正卷", "市场监督管理行政处罚程序规定",
          ["恢复案件调查", "中止调查的原因已经消除"])
def resumption_decision(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局于{{ filed_on|cn_date }}立案调查的你（单位）涉嫌{{ cause }}一案，因{{ suspension.reason.rstrip('。.；;，, ') }}已中止调查。"
        "现因{{ resumption.reason.rstrip('。.；;，, ') }}，中止调查的原因已经消除。根据《市场监督管理行政处罚程序规定》，"
        "本局决定自{{ doc.date|cn_date }}起恢复案件调查。",
    )
    f.signoff()


# -- 调查终结、审核、告知、听证 ---------------------------------------------------------------------------------------


def heading(f: Form, text: str) -> None:
    f.para(text, font="黑体", keep_next=True)


@template("investigation_report", "案件调查终结报告", None, "副卷", "处罚法第五十七条",
          ["当事人基本情况", "案件来源及调查经过", "违法事实", "证据", "处理意见", "承办人"])
def investigation_report(f: Form) -> None:
    f.case_line()
    heading(f, "一、当事人基本情况")
    party_paragraphs(f)
    heading(f, "二、案件来源及调查经过")
    f.body(
        "{{ source.received_on|cn_date }}，本局{% if source.kind == '监督检查' %}在监督检查中发现{% else %}"
        "根据{{ source.kind }}线索发现{% endif %}当事人涉嫌{{ cause }}，于{{ filed_on|cn_date }}经本局负责人批准立案调查。"
        "执法人员" + OFFICERS + "依法开展了调查。",
        "{%p if evidence is defined %}",
        "调查中依法提取证据{{ evidence|length }}份：{% for e in evidence %}{% if not loop.first %}、{% endif %}"
        "{{ e.name }}{% endfor %}。",
        "{%p endif %}",
    )
    heading(f, "三、违法事实")
    f.body("{{ facts }}")
    heading(f, "四、相关证据")
    f.body("{{ evidence_summary }}")
    heading(f, "五、法律适用及裁量")
    f.body(
        "{%p if outcome in ['处罚', '不予处罚'] %}",
        "当事人的上述行为违反了{{ violated_provisions }}的规定。处罚依据：{{ penalty_basis }}。",
        "{%p endif %}",
        "{%p if discretion is defined and discretion %}",
        "裁量理由：{{ discretion }}",
        "{%p endif %}",
        "{%p if complex_case %}",
        "本案情节复杂，建议提交本局负责人集体讨论决定。",
        "{%p endif %}",
    )
    heading(f, "六、处理意见")
    f.body("建议" + PROPOSAL + "。")
    f.signoff(name="承办人：" + OFFICERS, seal="", date=SIGN_DATE)


@template("legal_review_opinion", "法制审核意见书", None, "副卷", "处罚法第五十八条",
          ["拟处理意见", "重大执法决定", "审核内容", "审核结论", "审核意见", "审核人"])
def legal_review_opinion(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        [lab("当事人"), val("{{ party.name }}", 3)],
        [lab("承办人"), val(OFFICERS, 3)],
        [lab("拟处理意见"), val(PROPOSAL, 3)],
        [lab("重大执法决定"), val("{% if major_decision %}是{% if major_reason %}（{{ major_reason.rstrip('。.；;，, ') }}）{% endif %}"
                                 "{% else %}否{% endif %}", 3)],
        (40, [lab("审核内容"), val([
            "执法主体和权限、执法人员资格、当事人认定、事实和证据、程序、法律适用、裁量基准、文书规范：",
            *[f"{title}：{{% if review_checklist.{key} %}}符合{{% else %}}不符合{{% endif %}}"
              for key, title in REVIEW_ITEMS],
        ], 3)]),
        [lab("审核结论"), val("{{ review_result }}", 3)],
        opinion("审核意见", ["{{ review_opinion }}"], "审核人：{{ actor.name }}　　" + SIGN_DATE, 36),
    ])


@template("penalty_notice", "行政处罚告知书", "罚告", "正卷", "处罚法第四十四条、第四十五条、第六十三条、第六十四条",
          ["拟对你（单位）作出如下行政处罚", "事实", "证据", "违反了", "依据", "陈述", "申辩", "听证",
           "五个工作日内"])
def penalty_notice(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局在调查你（单位）涉嫌{{ cause }}一案中查明以下事实：",
        "{{ facts }}",
        "以上事实，有下列证据证明：",
        "{{ evidence_summary }}",
        "本局认为，你（单位）的上述行为违反了{{ violated_provisions }}的规定。",
        "{%p if discretion is defined and discretion %}",
        "裁量理由：{{ discretion }}",
        "{%p endif %}",
        "依据{{ penalty_basis }}的规定，本局拟对你（单位）作出如下行政处罚：" + PENALTY + "。",
        "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）享有陈述、申辩的权利。"
        "你（单位）可以自收到本告知书之日起五个工作日内向本局提出陈述、申辩意见；逾期未提出的，视为放弃此权利。"
        "本局不会因你（单位）陈述、申辩而给予更重的处罚。",
        "{%p if hearing_right %}",
        "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有要求听证的权利。"
        "你（单位）要求听证的，应当自收到本告知书之日起五个工作日内向本局提出；逾期未提出的，视为放弃听证权利。"
        "听证不收取费用。",
        "{%p else %}",
        "本案拟作出的行政处罚不属于《中华人民共和国行政处罚法》第六十三条规定的应当告知听证权利的情形。",
        "{%p endif %}",
    )
    contact(f)
    f.signoff()


@template("statement_record", "陈述申辩笔录", None, "正卷", "处罚法第四十五条",
          ["陈述申辩人", "陈述申辩内容", "承办人"])
def statement_record(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        *party_rows("陈述申辩人"),
        [lab("记录时间"), val(SIGN_DATE), lab("承办人"), val(OFFICERS)],
        (80, [lab("陈述申辩内容"), val("{% if statement_made %}{{ statement }}{% else %}"
                                    "当事人在规定期限内未提出陈述、申辩意见。{% endif %}", 3)]),
        ("tr", "if hearing_requested"),
        [lab("听证申请"), val("当事人于{{ hearing_requested_on|ymd }}提出听证申请。", 3)],
        ("tr", "endif"),
    ])
    record_sign(
        f,
        "以上笔录已交陈述申辩人阅读（或者向其宣读），陈述申辩人确认无误。",
        "陈述申辩人签名：　　　　　　　　　　　　　　年　　月　　日",
        "承办人签名：　　　　　　　　　记录人签名：",
    )


@template("hearing_notice", "行政处罚听证通知书", "听通", "正卷", "处罚法第六十四条",
          ["举行听证", "主持人", "回避", "一至二人代理", "视为放弃听证权利"])
def hearing_notice(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "根据你（单位）于{{ hearing_requested_on|cn_date }}提出的听证要求，依据《中华人民共和国行政处罚法》第六十四条的"
        "规定，本局定于{{ hearing.date|cn_date }} {{ hearing.time }}在{{ hearing.place }}对你（单位）涉嫌{{ cause }}"
        "一案举行听证。",
        "本次听证由{{ hearing.presiding_officer }}担任主持人，{{ hearing.recorder }}担任记录员。你（单位）认为主持人、"
        "记录员与本案有直接利害关系的，有权申请回避，申请回避应当在听证开始前提出并说明理由。",
        "你（单位）可以亲自参加听证，也可以委托一至二人代理。委托代理人参加听证的，应当在听证开始前提交授权委托书；"
        "参加听证时请携带身份证明。",
        "听证除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，公开举行。你（单位）无正当理由拒不出席听证或者"
        "未经许可中途退出听证的，视为放弃听证权利，本局终止听证。",
    )
    contact(f)
    f.signoff()


@template("hearing_record", "听证笔录", None, "正卷", "处罚法第六十四条、第六十五条",
          ["听证时间", "听证地点", "主持人", "记录员", "陈述", "申辩", "质证", "最后陈述"])
def hearing_record(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ party.name }}涉嫌{{ cause }}", 3)],
        [lab("听证时间"), val("{{ hearing.date|ymd }} {{ hearing.time }}"), lab("听证地点"),
         val("{{ hearing.place }}")],
        [lab("主持人"), val("{{ hearing.presiding_officer }}"), lab("记录员"), val("{{ hearing.recorder }}")],
        *party_rows(),
        [lab("案件调查人员"), val(OFFICERS, 3)],
        [val("主持人宣布听证纪律，核对听证参加人身份，告知当事人享有申请回避、陈述、申辩、质证和最后陈述等权利。", 4)],
        (36, [lab("调查人员提出的违法事实、证据和处罚建议"), val([
            "{{ facts }}", "证据：{{ evidence_summary }}", "处罚建议：" + PENALTY + "。"], 3)]),
        ("tr", "if hearing_attended"),
        (30, [lab("当事人陈述、申辩意见"), val("{{ hearing_record.opinions }}", 3)]),
        (30, [lab("质证情况"), val("{{ hearing_record.evidence_cross_examination }}", 3)]),
        (20, [lab("当事人最后陈述"), val("{{ hearing_record.final_statement }}", 3)]),
        ("tr", "else"),
        [lab("当事人出席情况"), val("当事人无正当理由未出席听证（或者未经许可中途退出），视为放弃听证权利，听证终止。", 3)],
        ("tr", "endif"),
    ])
    record_sign(
        f,
        "以上笔录已交当事人（代理人）阅读（或者向其宣读），当事人（代理人）确认无误。拒绝签名的，由主持人在笔录中注明。",
        "当事人（代理人）签名：　　　　　　　　　　　年　　月　　日",
        "主持人签名：　　　　　　　　　记录员签名：",
    )


@template("hearing_report", "听证报告", None, "副卷", "处罚法第六十五条",
          ["听证时间", "主持人", "听证基本情况", "处理意见"])
def hearing_report(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        [lab("当事人"), val("{{ party.name }}", 3)],
        [lab("听证时间"), val("{{ hearing.date|ymd }} {{ hearing.time }}"), lab("听证地点"),
         val("{{ hearing.place }}")],
        [lab("主持人"), val("{{ hearing.presiding_officer }}"), lab("记录员"), val("{{ hearing.recorder }}")],
        [lab("案件调查人员"), val(OFFICERS, 3)],
        (60, [lab("听证基本情况"), val("{{ hearing_report.summary }}", 3)]),
        opinion("处理意见及建议", ["{{ hearing_report.recommendation }}"],
                "主持人：{{ hearing.presiding_officer }}　　" + SIGN_DATE, 40),
    ])


@template("collective_discussion", "行政处罚案件集体讨论记录", None, "副卷", "处罚法第五十七条",
          ["讨论时间", "参加人员", "记录人", "讨论记录", "结论性意见"])
def collective_discussion(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        [lab("当事人"), val("{{ party.name }}", 3)],
        [lab("讨论时间"), val("{{ discussion.date|ymd }}"), lab("记录人"), val("{{ actor.name }}")],
        [lab("参加人员"), val(listing("discussion.participants"), 3)],
        (30, [lab("案情简介及拟处理意见"), val(["{{ facts }}", "拟处理意见：" + PROPOSAL + "。"], 3)]),
        ("tr", "if review_result is defined"),
        [lab("法制审核意见"), val("{{ review_result }}。{{ review_opinion }}", 3)],
        ("tr", "endif"),
        (60, [lab("讨论记录"), val("{{ discussion.record }}", 3)]),
        (30, [lab("结论性意见"), val("{{ discussion.conclusion }}", 3)]),
    ])
    record_sign(f, "参加人员签名：")


@template("decision_approval", "行政处理决定审批表", None, "副卷", "处罚法第五十七条",
          ["案由", "当事人", "违法事实", "证据", "承办人意见", "审核意见", "负责人意见"])
def decision_approval(f: Form) -> None:
    statements = (
        "{% if statement_made %}当事人提出了陈述、申辩意见。{% if statement_review is defined %}"
        "复核意见：{{ statement_review.conclusion.rstrip('。.；;，, ') }}。{% endif %}{% else %}当事人在规定期限内未提出陈述、申辩意见。"
        "{% endif %}{% if hearing_requested %}当事人要求听证，已于{{ hearing.date|ymd }}举行听证"
        "{% if hearing_report is defined %}，听证报告建议：{{ hearing_report.recommendation.rstrip('。.；;，, ') }}{% endif %}。{% endif %}"
    )
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        *party_rows(),
        [lab("案件来源"), val("{{ source.kind }}"), lab("立案日期"), val("{{ filed_on|ymd }}")],
        (36, [lab("违法事实"), val("{{ facts }}", 3)]),
        (20, [lab("证据"), val("{{ evidence_summary }}", 3)]),
        ("tr", "if outcome in ['处罚', '不予处罚']"),
        [lab("违反的法律条款"), val("{{ violated_provisions }}", 3)],
        [lab("处罚依据"), val("{{ penalty_basis }}", 3)],
        ("tr", "endif"),
        ("tr", "if statement_made is defined"),
        [lab("陈述申辩及听证情况"), val(statements, 3)],
        ("tr", "endif"),
        ("tr", "if review_result is defined"),
        [lab("法制审核意见"), val("{{ review_result }}。{{ review_opinion }}", 3)],
        ("tr", "endif"),
        ("tr", "if discussion is defined"),
        [lab("集体讨论意见"), val("{{ discussion.conclusion }}", 3)],
        ("tr", "endif"),
        opinion("承办人意见", ["建议" + PROPOSAL + "。"], "承办人：" + OFFICERS),
        blank_opinion(),
        head_opinion(),
    ])


# -- 决定 ------------------------------------------------------------------------------------------------------------


@template("onsite_decision", "当场行政处罚决定书", "当罚", "正卷", "处罚法第五十二条；复议法第二十三条",
          ["编号", "当事人", "违反了", "依据", "作出如下行政处罚", "处罚时间", "处罚地点", "应当先向",
           "申请行政复议", "执法人员"], number_label="编号：")
def onsite_decision(f: Form) -> None:
    party_paragraphs(f)
    f.body(
        "当事人于" + when("onsite.time") + "在{{ onsite.place }}{{ cause }}，违反了{{ violated_provisions }}的规定。"
        "执法人员当场告知了当事人拟作出行政处罚的事实、理由和依据，并告知当事人依法享有陈述、申辩的权利。",
        "依据{{ penalty_basis }}的规定，本局决定对当事人作出如下行政处罚：" + PENALTY + "。",
        "{%p if onsite.paid_on_spot %}",
        "罚款已由执法人员当场收缴，并出具专用票据（票据号码：{{ onsite.receipt_no }}）。",
        "{%p elif '罚款' in penalty_kinds %}",
        "当事人应当自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款。" + SURCHARGE,
        "{%p endif %}",
        "当事人对本决定不服的，应当先向{{ agency.parent_government }}申请行政复议，申请期限为自收到本决定书之日起"
        "六十日内；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。",
    )
    f.para("处罚时间：" + when("onsite.time") + "　　处罚地点：{{ onsite.place }}", indent=False, before=6)
    f.para("执法人员（签名）：" + OFFICERS_CERTS, indent=False)
    f.para("当事人签收：　　　　　　　　　　年　　月　　日", indent=False)
    f.tag("{%p if onsite.refused %}")
    f.para("当事人拒绝签收，执法人员已当场在本决定书上注明。", indent=False)
    f.tag("{%p endif %}")
    f.signoff(before=12)
    f.note("本决定书由执法人员当场交付当事人，并报本局备案。")


def decision_intro(f: Form) -> None:
    party_paragraphs(f)
    f.body(
        "{{ source.received_on|cn_date }}，本局{% if source.kind == '监督检查' %}在监督检查中发现{% else %}"
        "根据{{ source.kind }}线索发现{% endif %}当事人涉嫌{{ cause }}。{{ filed_on|cn_date }}，经本局负责人批准，"
        "本局对当事人立案调查。",
        "本局查明的违法事实如下：",
        "{{ facts }}",
        "上述事实，有以下证据证明：",
        "{{ evidence_summary }}",
    )


@template("penalty_decision", "行政处罚决定书", "处罚", "正卷", "处罚法第五十九条",
          ["当事人", "违法事实", "证据", "违反了", "依据", "作出如下行政处罚", "履行方式和期限", "十五日内",
           "申请行政复议", "提起行政诉讼", "印章"], requires_passed_review=True)
def penalty_decision(f: Form) -> None:
    money = "'罚款' in penalty_kinds or '没收违法所得' in penalty_kinds"
    decision_intro(f)
    f.body(
        "本局认为，当事人的上述行为违反了{{ violated_provisions }}的规定。",
        "本局于{{ notice_served_on|cn_date }}向当事人送达了行政处罚告知书，告知当事人拟作出行政处罚的内容及事实、"
        "理由、依据，以及依法享有的陈述、申辩{% if hearing_right %}、要求听证{% endif %}的权利。"
        "{% if statement_made %}当事人在规定期限内提出了陈述、申辩意见。{% if statement_review is defined %}经复核，"
        "{{ statement_review.conclusion.rstrip('。.；;，, ') }}。{% endif %}{% else %}当事人在规定期限内未提出陈述、申辩意见。{% endif %}"
        "{% if hearing_requested %}当事人要求听证，本局于{{ hearing.date|cn_date }}依法举行了听证"
        "{% if not hearing_attended %}，当事人无正当理由未出席，视为放弃听证权利{% endif %}。{% endif %}",
        "{%p if discretion is defined and discretion %}",
        "裁量理由：{{ discretion }}",
        "{%p endif %}",
        "依据{{ penalty_basis }}的规定，本局决定对当事人作出如下行政处罚：" + PENALTY + "。",
        "{%p if " + money + " %}",
        "履行方式和期限：当事人应当自收到本决定书之日起十五日内，将罚没款缴至下列账户"
        "{% if payment.method %}（缴款方式：{{ payment.method }}）{% endif %}：",
        *BANK_LINES,
        "{%p if '罚款' in penalty_kinds %}",
        SURCHARGE,
        "{%p endif %}",
        "{%p else %}",
        "履行方式和期限：本决定自送达之日起生效，当事人应当自收到本决定书之日起十五日内履行。",
        "{%p endif %}",
        "当事人申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外。",
        REMEDY,
    )
    f.signoff()


@template("no_penalty_decision", "不予行政处罚决定书", "不罚", "正卷", "处罚法第三十三条、第五十七条",
          ["当事人", "违法事实", "证据", "不予行政处罚的理由", "依据", "不予行政处罚", "申请行政复议", "提起行政诉讼",
           "印章"], requires_passed_review=True)
def no_penalty_decision(f: Form) -> None:
    decision_intro(f)
    f.body(
        "本局认为，当事人的上述行为违反了{{ violated_provisions }}的规定。",
        "不予行政处罚的理由：{{ no_penalty_reason }}",
        "依据{{ penalty_basis }}的规定，本局决定对当事人不予行政处罚。本局已对当事人进行了批评教育，"
        "当事人应当依法规范经营，杜绝此类违法行为再次发生。",
        REMEDY,
    )
    f.signoff()


@template("case_revocation_approval", "撤销立案审批表", None, "副卷", "市场监督管理行政处罚程序规定",
          ["案由", "当事人", "立案日期", "撤销立案", "承办人意见", "负责人意见"])
def case_revocation_approval(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        *party_rows(),
        [lab("案件来源"), val("{{ source.kind }}"), lab("立案日期"), val("{{ filed_on|ymd }}")],
        (50, [lab("调查情况及撤销立案理由"), val("{{ facts }}", 3)]),
        opinion("承办人意见", ["建议撤销立案。"], "承办人：" + OFFICERS),
        blank_opinion(),
        head_opinion(),
    ])


@template("transfer_letter", "涉嫌犯罪案件移送书", "移", "正卷",
          "处罚法第二十七条；行政执法机关移送涉嫌犯罪案件的规定", ["涉嫌", "移送", "第二十七条", "附件"])
def transfer_letter(f: Form) -> None:
    f.addressee("＿＿＿＿＿＿＿＿公安局（分局）：")
    f.body(
        "本局在查处{{ party.name }}涉嫌{{ cause }}一案中，发现当事人的行为涉嫌{{ transfer.crime }}。经查：",
        "{{ facts }}",
        "根据《中华人民共和国行政处罚法》第二十七条和《行政执法机关移送涉嫌犯罪案件的规定》的规定，"
        "现将该案移送你局，请依法审查，并将处理结果书面告知本局。",
        "附件：" + listing("transfer.materials"),
    )
    contact(f)
    f.signoff()


# -- 送达与执行 -------------------------------------------------------------------------------------------------------

DECISION_NAME = "{% if outcome == '不予处罚' %}不予行政处罚决定书{% else %}行政处罚决定书{% endif %}"
# The served decision's 文号 (GB/T 9704): documents after the decision cite it, never just the case number.
DECISION_NO = ("{% if outcome == '不予处罚' %}{{ doc_nos.no_penalty_decision }}"
               "{% else %}{{ doc_nos.penalty_decision }}{% endif %}")


@template("service_receipt", "送达回证", None, "正卷", "处罚法第六十一条",
          ["送达文书名称及文号", "受送达人", "送达时间", "送达地点", "送达方式", "收件人", "见证人", "备注"])
def service_receipt(f: Form) -> None:
    notes = [
        "{%p if service.method == '留置送达' %}",
        "受送达人拒绝签收，送达人已邀请见证人到场，说明情况后将文书留置于受送达人住所，并采用拍照、录像等方式记录送达过程。",
        "{%p elif service.method == '邮寄送达' %}",
        "邮寄送达，以回执上注明的收件日期为送达日期。",
        "{%p elif service.method == '公告送达' %}",
        "公告送达，自发出公告之日起经过三十日，即视为送达。",
        "{%p elif service.method == '电子送达' %}",
        "经受送达人同意采用电子方式送达，以送达信息到达受送达人特定系统的日期为送达日期。",
        "{%p else %}",
        "",
        "{%p endif %}",
    ]
    f.case_line()
    f.table(W4, [
        (14, [lab("送达文书名称及文号"), val(DECISION_NAME + "（" + DECISION_NO + "）", 3)]),
        (12, [lab("受送达人"), val("{{ party.name }}", 3)]),
        (12, [lab("送达地点"), val("{{ service.place }}", 3)]),
        (12, [lab("送达方式"), val("{{ service.method }}"), lab("送达时间"), val("{{ service.date|ymd }}")]),
        (22, [lab("收件人签名或者盖章"), val("{{ service.recipient }}"), lab("签收日期"), val("{{ service.date|ymd }}")]),
        (16, [lab("见证人"), val("{{ service.witness }}", 3)]),
        (12, [lab("送达人"), val(OFFICERS, 3)]),
        (40, [lab("备注"), val(notes, 3)]),
    ])
    f.signoff(before=6)


@template("service_announcement", "行政处罚文书送达公告", "送公", "正卷", "处罚法第六十一条；民事诉讼法第九十五条",
          ["公告送达", "经过三十日", "视为送达", "申请行政复议", "提起行政诉讼"])
def service_announcement(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局对你（单位）涉嫌{{ cause }}一案，已于{{ decided_on|cn_date }}依法作出" + DECISION_NAME + "（" + DECISION_NO + "）。"
        "因采用直接送达、邮寄送达等方式无法送达，依据《中华人民共和国民事诉讼法》第九十五条的规定，现予公告送达。",
        "决定的主要内容：{% if outcome == '处罚' %}对你（单位）作出如下行政处罚：" + PENALTY + "{% else %}"
        "对你（单位）不予行政处罚{% endif %}。",
        "自发出本公告之日起经过三十日，即视为送达。请你（单位）在公告期内到{{ agency.address }}领取决定书，"
        "联系电话：{{ agency.phone }}。",
        "如不服该决定，可以自送达之日起六十日内向{{ agency.parent_government }}申请行政复议，也可以在六个月内依法向"
        "{{ agency.court }}提起行政诉讼。",
    )
    f.signoff()


@template("payment_extension_notice", "延期（分期）缴纳罚款通知书", "缴", "正卷", "处罚法第六十六条",
          ["第六十六条", "缴纳罚款", "加处罚款"])
def payment_extension_notice(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局于{{ decided_on|cn_date }}以《行政处罚决定书》（{{ doc_nos.penalty_decision }}）对你（单位）作出罚款"
        "{{ fine_amount|cn_amount }}的行政处罚决定。你（单位）以确有经济"
        "困难为由申请{{ installment.kind }}缴纳罚款。经本局审查，依据《中华人民共和国行政处罚法》第六十六条第二款的规定，"
        "同意你（单位）{% if installment.kind == '延期' %}暂缓缴纳罚款，缴纳期限延至{{ installment.new_due_date|cn_date }}"
        "{% else %}分期缴纳罚款，分期方案：{{ installment.plan.rstrip('。.；;，, ') }}，最后一期应当于{{ installment.new_due_date|cn_date }}前缴清"
        "{% endif %}。",
        "请你（单位）按期将罚款缴至下列账户：",
        *BANK_LINES,
        "逾期不缴纳的，本局将依法每日按罚款数额的百分之三加处罚款，并依法申请人民法院强制执行。",
    )
    contact(f)
    f.signoff()


@template("performance_reminder", "行政处罚决定履行催告书", "催告", "正卷", "强制法第三十五条、第五十四条；处罚法第七十二条",
          ["履行期限", "履行方式", "金额", "陈述", "申辩"])
def performance_reminder(f: Form) -> None:
    f.addressee("{{ party.name }}：")
    f.body(
        "本局于{{ decided_on|cn_date }}以《行政处罚决定书》（{{ doc_nos.penalty_decision }}）对你（单位）作出行政处罚决定："
        + PENALTY + "。该决定书已于{{ served_on|cn_date }}"
        "送达你（单位）。你（单位）至今未履行上述决定。",
        "根据《中华人民共和国行政强制法》第三十五条、第五十四条和《中华人民共和国行政处罚法》第七十二条的规定，"
        "现催告你（单位）履行下列义务：",
        "履行期限：自收到本催告书之日起十日内。",
        "履行方式：将应缴款项缴至下列账户：",
        *BANK_LINES,
        "应缴金额：" + MONEY_DUE + "{% if surcharge %}；加处罚款{{ surcharge|cn_amount }}{% endif %}。",
        "你（单位）收到本催告书后有权进行陈述和申辩，可以向本局书面提出或者口头陈述。逾期仍不履行的，"
        "本局将依法申请人民法院强制执行。",
    )
    contact(f)
    f.signoff()


@template("enforcement_application", "强制执行申请书", "强申", "正卷", "强制法第五十三条至第五十五条；处罚法第七十二条",
          ["申请人", "被申请人", "申请事项", "事实和理由", "催告", "负责人（签名）", "印章"])
def enforcement_application(f: Form) -> None:
    f.para("申请人：{{ agency.name }}", indent=False)
    f.para("地址：{{ agency.address }}", indent=False)
    f.para("联系电话：{{ agency.phone }}", indent=False)
    party_paragraphs(f, "被申请人")
    f.body(
        "申请事项：请求依法强制执行申请人于{{ decided_on|cn_date }}作出的《行政处罚决定书》（{{ doc_nos.penalty_decision }}），执行" + MONEY_DUE
        + "{% if surcharge %}；加处罚款{{ surcharge|cn_amount }}{% endif %}。",
        "事实和理由：申请人于{{ decided_on|cn_date }}对被申请人作出行政处罚决定：" + PENALTY + "。该决定书于"
        "{{ served_on|cn_date }}送达被申请人。被申请人在法定期限内未申请行政复议或者提起行政诉讼，又不履行行政处罚决定。"
        "申请人于{{ reminder_served_on|cn_date }}向被申请人送达了《行政处罚决定履行催告书》（{{ doc_nos.performance_reminder }}），"
        "催告期满后被申请人仍未履行。",
        "根据《中华人民共和国行政强制法》第五十三条、第五十四条和《中华人民共和国行政处罚法》第七十二条第一款第四项的"
        "规定，特向你院申请强制执行。",
    )
    f.para("此致", indent=True, keep_next=True)
    f.para("{{ agency.court }}", indent=False)
    f.note("附件：1．行政处罚决定书及送达回证；2．作出决定的事实、理由和依据；3．当事人的意见及催告情况；"
           "4．申请强制执行标的情况；5．其他材料。")
    f.signoff(name="申请人：{{ agency.name }}", seal="（印章）　负责人（签名）：")


@template("property_disposal_record", "涉案物品处理记录", None, "正卷", "处罚法第七十四条",
          ["涉案物品", "处理方式", "处理时间", "执行人"])
def property_disposal_record(f: Form) -> None:
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        [lab("当事人"), val("{{ party.name }}", 3)],
        (30, [lab("涉案物品"), val(listing("items_disposal['items']"), 3)]),
        [lab("处理方式"), val("{{ items_disposal.measure }}"), lab("处理时间"),
         val("{{ items_disposal.executed_on|ymd }}")],
        [lab("执行人"), val(OFFICERS, 3)],
        (30, [lab("处理情况"), val("依据已生效的处理决定，对上述涉案物品采取{{ items_disposal.measure }}方式处理。"
                                  "依法没收的非法财物按照国家规定公开拍卖或者按照国家有关规定处理。", 3)]),
    ])
    record_sign(
        f,
        "执行人签名：　　　　　　　　　　　　　　　　年　　月　　日",
        "监督人或者见证人签名：　　　　　　　　　　　年　　月　　日",
    )


@template("case_closing_approval", "结案审批表", None, "副卷", "处罚法第四十七条",
          ["案由", "当事人", "处理结果", "执行情况", "结案报告", "承办人意见", "负责人意见"])
def case_closing_approval(f: Form) -> None:
    execution = (
        "{% if payment_status is defined %}{{ payment_status }}{% if paid_on is defined %}"
        "（缴款日期：{{ paid_on|ymd }}，票据号码：{{ receipt_no }}）{% endif %}"
        "{% elif onsite is defined and onsite.paid_on_spot %}当场缴纳（票据号码：{{ onsite.receipt_no }}）"
        "{% else %}无需缴款{% endif %}"
    )
    f.case_line()
    f.table(W4, [
        [lab("案由"), val("{{ cause }}", 3)],
        *party_rows(),
        [lab("立案日期"), val("{% if filed_on is defined %}{{ filed_on|ymd }}{% endif %}"), lab("决定日期"),
         val("{% if decided_on is defined %}{{ decided_on|ymd }}{% endif %}")],
        (16, [lab("处理结果"), val("{% if outcome is defined %}" + PROPOSAL + "{% else %}当场行政处罚：" + PENALTY
                                  + "{% endif %}", 3)]),
        [lab("执行情况"), val(execution, 3)],
        ("tr", "if items_disposal is defined"),
        [lab("涉案物品处理"), val(listing("items_disposal['items']")
                                 + "：{{ items_disposal.measure }}（{{ items_disposal.executed_on|ymd }}）", 3)],
        ("tr", "endif"),
        (24, [lab("结案报告"), val("{{ closing_summary }}", 3)]),
        opinion("承办人意见", ["建议结案。"], "承办人：" + OFFICERS, 20),
        blank_opinion(),
        head_opinion(),
    ])


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    registry = {"procedure": "penalty", "templates": {}}
    for key, meta in REGISTRY.items():
        form = Form(meta["title"])
        if meta["number_kind"]:
            form.number(meta["_number_label"] + "{{ doc.no }}")
        meta["_build"](form)
        form.save(OUT / meta["file"])
        registry["templates"][key] = {k: v for k, v in meta.items() if not k.startswith("_")}
    (OUT / "documents.json").write_text(json.dumps(registry, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"wrote {len(REGISTRY)} templates to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
