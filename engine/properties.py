"""Element properties of our BPMN dialect (see workflows/README.md), parsed into plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = {"承办人": "handler", "法制审核员": "reviewer", "负责人": "head"}
ROLE_NAMES = {v: k for k, v in ROLES.items()}


@dataclass(frozen=True)
class DocumentRule:
    template: str
    condition: str | None


@dataclass(frozen=True)
class Check:
    condition: str
    message: str


@dataclass(frozen=True)
class DeadlineOpen:
    key: str
    name: str
    period: str
    start_var: str
    condition: str | None


@dataclass
class ElementConfig:
    """What the engine does around one BPMN element."""

    bpmn_id: str
    name: str
    process: str
    lane: str | None = None
    manual: bool = False
    form: str | None = None
    documents: list[DocumentRule] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    opens: list[DeadlineOpen] = field(default_factory=list)
    closes: list[str] = field(default_factory=list)
    pauses: list[str] = field(default_factory=list)
    resumes: list[str] = field(default_factory=list)
    extends: list[tuple[str, str]] = field(default_factory=list)
    task_deadline: str | None = None

    @property
    def role(self) -> str | None:
        return ROLES.get(self.lane or "")

    @property
    def has_effects(self) -> bool:
        return bool(self.documents or self.opens or self.closes or self.pauses or self.resumes or self.extends)


def _lines(value: str | None) -> list[list[str]]:
    rows = []
    for line in (value or "").splitlines():
        if line.strip():
            rows.append([part.strip() for part in line.split(" | ")])
    return rows


def parse_properties(bpmn_id: str, name: str, process: str, lane: str | None, manual: bool, props: dict) -> ElementConfig:
    """Build an ElementConfig; malformed lines raise ValueError with a plain reason."""
    cfg = ElementConfig(bpmn_id=bpmn_id, name=name or bpmn_id, process=process, lane=lane, manual=manual)
    cfg.form = props.get("form") or None
    for row in _lines(props.get("documents")):
        cfg.documents.append(DocumentRule(row[0], row[1] if len(row) > 1 else None))
    for row in _lines(props.get("validate")):
        if len(row) != 2:
            raise ValueError(f"validate 行应为“条件 | 提示”：{' | '.join(row)}")
        cfg.checks.append(Check(row[0], row[1]))
    for row in _lines(props.get("opens_deadline")):
        if len(row) not in (4, 5):
            raise ValueError(f"opens_deadline 行应为“key | 名称 | 期间 | 起算变量 [| 条件]”：{' | '.join(row)}")
        cfg.opens.append(DeadlineOpen(row[0], row[1], row[2], row[3], row[4] if len(row) == 5 else None))
    cfg.closes = [r[0] for r in _lines(props.get("closes_deadline"))]
    cfg.pauses = [r[0] for r in _lines(props.get("pauses_deadline"))]
    cfg.resumes = [r[0] for r in _lines(props.get("resumes_deadline"))]
    for row in _lines(props.get("extends_deadline")):
        if len(row) != 2:
            raise ValueError(f"extends_deadline 行应为“key | 期间”：{' | '.join(row)}")
        cfg.extends.append((row[0], row[1]))
    cfg.task_deadline = (props.get("task_deadline") or "").strip() or None
    return cfg


def conditions_of(cfg: ElementConfig) -> list[str]:
    """Every Python expression the element's properties hold (for syntax checks)."""
    exprs = [d.condition for d in cfg.documents if d.condition]
    exprs += [c.condition for c in cfg.checks]
    exprs += [o.condition for o in cfg.opens if o.condition]
    return exprs
