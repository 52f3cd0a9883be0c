"""调查终结, 法制审核, 告知, 听证 and 决定: from the investigation report to the decision documents."""

from __future__ import annotations

from docxbuild import Form, lab, val
from penalty_common import (
    BANK_LINES,
    OFFICERS,
    OFFICERS_CERTS,
    PENALTY,
    PROPOSAL,
    REMEDY,
    REVIEW_ITEMS,
    SIGN_DATE,
    SURCHARGE,
    W4,
    blank_opinion,
    contact,
    head_opinion,
    listing,
    opinion,
    party_paragraphs,
    party_rows,
    record_sign,
    template,
    when,
)

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
