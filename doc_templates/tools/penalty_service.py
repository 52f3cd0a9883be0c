"""送达, 执行 and 结案: service, payment, reminders, court enforcement and closing."""

from __future__ import annotations

from docxbuild import Form, lab, val
from penalty_common import (
    BANK_LINES,
    MONEY_DUE,
    OFFICERS,
    PENALTY,
    PROPOSAL,
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
)

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
