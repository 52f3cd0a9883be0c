"""立案 and 调查取证: the filing, investigation and evidence documents of the penalty procedure."""

from __future__ import annotations

from docxbuild import Form, lab, val
from penalty_common import (
    OFFICERS,
    OFFICERS_CERTS,
    SIGN_DATE,
    W4,
    blank_opinion,
    contact,
    head_opinion,
    listing,
    opinion,
    party_rows,
    record_sign,
    template,
    when,
)

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
