"""The administrator's commands: agencies, users, tokens, the demo seed and the timer tick."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.models import Agency, ApiToken, AuditEvent, Case, User
from web.extensions import db


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_create_agency_user_and_token_from_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-agency", "--code", "Q市监", "--name", "Q市市场监督管理局",
                                 "--parent-government", "Q市人民政府", "--court", "Q市某某区人民法院"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "qian.li", "--name", "钱力", "--agency", "Q市监", "--role", "handler",
                                 "--role", "head", "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "qian.li")).one()
        assert user.role_list == ["handler", "head"] and user.password_hash != "long-enough-1"
    result = runner.invoke(args=["create-token", "qian.li", "--name", "脚本"])
    assert result.exit_code == 0 and result.output.strip().startswith("ef_")
    assert count(app, ApiToken) == 1
    # bad input: clear messages, nothing created
    result = runner.invoke(args=["create-user", "qian.li", "--name", "重名", "--agency", "Q市监", "--role", "handler",
                                 "--password", "long-enough-1"])
    assert result.exit_code != 0 and "已存在" in result.output
    result = runner.invoke(args=["create-user", "x.y", "--name", "某", "--agency", "不存在", "--role", "handler",
                                 "--password", "long-enough-1"])
    assert result.exit_code != 0 and "没有机关代字" in result.output
    assert count(app, User) == 1 and count(app, Agency) == 1


def test_the_demo_seed_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (count(app, Agency), count(app, User), count(app, Case))
    assert counts[0] == 2 and counts[1] >= 7 and counts[2] == 4
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case).where(Case.status == "closed")) == 1
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "'cases': 0" in second.output
    assert (count(app, Agency), count(app, User), count(app, Case)) == counts


def test_tick_fires_due_timers_once_even_when_run_twice(app, clock):
    from web.seed import seed_demo

    with app.app_context():
        seed_demo(db.session, app.extensions["enforceflow.runtime"])
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    clock.moment += timedelta(days=400)  # every deadline of the demo cases has passed
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tick"])
    assert first.exit_code == 0, first.output
    assert "'deadlines_overdue': 0" not in first.output
    with app.app_context():
        after_first = db.session.scalar(select(func.count()).select_from(AuditEvent))
        overdue = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.kind == "deadline_overdue"))
    assert after_first > before and overdue >= 1
    second = runner.invoke(args=["tick"])
    assert "'deadlines_overdue': 0" in second.output and "'timers_fired': 0" in second.output
    assert count(app, AuditEvent) == after_first
