"""The per-case hash chain of everything that happened (全过程记录, 处罚法 47)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent

GENESIS = "0" * 64


def canonical_json(data: Any) -> str:
    """Stable JSON for hashing: sorted keys, no whitespace, non-ASCII kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, seq: int, at: datetime, actor: str, role: str, kind: str, step: str, digest: str) -> str:
    """Hash of one link: covers the previous link, so no event can change without breaking all after it."""
    body = canonical_json([prev_hash, seq, at.isoformat(), actor, role, kind, step, digest])
    return sha256_text(body)


def append(
    session: Session, case_id: int, *, at: datetime, actor: str, role: str, kind: str, step: str = "",
    data: dict | None = None, user_id: int | None = None,
) -> AuditEvent:
    """Append one event to the case's chain (inside the caller's transaction)."""
    last = session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    payload = canonical_json(data or {})
    digest = sha256_text(payload)
    event = AuditEvent(
        case_id=case_id, seq=seq, at=at, actor=actor, role=role, kind=kind, step=step,
        data=payload, data_digest=digest, prev_hash=prev,
        hash=link_hash(prev, seq, at, actor, role, kind, step, digest), user_id=user_id,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    problems: list[str]


def verify_events(events: list[dict]) -> ChainReport:
    """Recompute every link; name the first sequence number where the chain breaks and why."""
    problems: list[str] = []
    prev = GENESIS
    for expected_seq, ev in enumerate(events, start=1):
        at = ev["at"] if isinstance(ev["at"], datetime) else datetime.fromisoformat(ev["at"])
        if ev["seq"] != expected_seq:
            problems.append(f"第{expected_seq}条记录缺失或顺序被改动（实际序号 {ev['seq']}）")
            break
        if sha256_text(ev["data"]) != ev["data_digest"]:
            problems.append(f"第{ev['seq']}条记录（{ev['kind']} {ev['step']}）的数据被篡改：摘要不符")
        if ev["prev_hash"] != prev:
            problems.append(f"第{ev['seq']}条记录的前序哈希不符：链条在此断开")
        recomputed = link_hash(prev, ev["seq"], at, ev["actor"], ev["role"], ev["kind"], ev["step"], ev["data_digest"])
        if recomputed != ev["hash"]:
            problems.append(f"第{ev['seq']}条记录（{ev['kind']} {ev['step']}）的内容被篡改：哈希不符")
        prev = ev["hash"]
    return ChainReport(ok=not problems, events=len(events), problems=problems)


def event_dicts(session: Session, case_id: int) -> list[dict]:
    rows = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq))
    return [
        {
            "seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "role": e.role, "kind": e.kind,
            "step": e.step, "data": e.data, "data_digest": e.data_digest, "prev_hash": e.prev_hash, "hash": e.hash,
        }
        for e in rows
    ]


def verify_case(session: Session, case_id: int) -> ChainReport:
    """Verify the stored chain of one case."""
    return verify_events(event_dicts(session, case_id))
