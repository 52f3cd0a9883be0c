"""Uploaded BPMN/DMN is parsed without DTDs or entities, and XML errors name the file, line and column."""

from __future__ import annotations

import pytest
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from engine.errors import DefinitionError
from engine.xmlsafe import parse_xml_bytes

VALID_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="http://example.org/enforceflow">
  <bpmn:process id="filing" name="立案" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" name="结束"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions>&xxe;</definitions>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>"""

REFUSED = "不允许包含 DOCTYPE 或实体声明"


@pytest.mark.parametrize(
    "data",
    [
        XXE,
        BILLION_LAUGHS,
        b'<?xml version="1.0"?>\n<!DOCTYPE definitions>\n<definitions/>',
        b'<?xml version="1.0"?>\n<!doctype definitions SYSTEM "http://example.org/x.dtd">\n<definitions/>',
        XXE.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"),
    ],
    ids=["xxe", "billion-laughs", "plain-doctype", "external-dtd", "utf16-xxe"],
)
def test_documents_with_a_doctype_or_entities_are_refused_naming_the_file(data):
    with pytest.raises(DefinitionError) as caught:
        parse_xml_bytes(data, "penalty/penalty.bpmn")
    assert caught.value.message == f"penalty/penalty.bpmn：{REFUSED}（XML 外部实体/实体炸弹防护）"
    assert caught.value.file == "penalty/penalty.bpmn"
    assert "root:" not in str(caught.value)


def test_malformed_xml_reports_line_and_column():
    with pytest.raises(DefinitionError) as caught:
        parse_xml_bytes(b"<definitions>\n  <process></task>\n</definitions>", "licensing/licensing.bpmn")
    message = caught.value.message
    assert message.startswith("licensing/licensing.bpmn 第2行第19列：XML 格式错误：")
    assert "mismatch" in message and ", line" not in message


def test_empty_upload_is_a_format_error():
    with pytest.raises(DefinitionError, match="XML 格式错误"):
        parse_xml_bytes(b"", "empty.bpmn")


def test_an_undefined_entity_reference_is_a_format_error():
    with pytest.raises(DefinitionError, match="第1行.*XML 格式错误"):
        parse_xml_bytes(b"<definitions>&xxe;</definitions>", "x.bpmn")


def test_valid_bpmn_parses_and_feeds_the_spiff_parser():
    tree = parse_xml_bytes(VALID_BPMN, "shared/filing.bpmn")
    assert tree.getroot().find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process").get("name") == "立案"
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(tree, "shared/filing.bpmn")
    assert parser.get_spec("filing").name == "filing"
