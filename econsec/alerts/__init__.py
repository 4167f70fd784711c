"""Alert rules: YAML rules (`rules`), their conditions (`conditions`), the engine that
runs them (`engine`), backtests over past events (`backtest`) and how people are told
(`notify`). What the engine remembers lives with each store (`Store.alert_state`)."""

from econsec.alerts.backtest import Backtest, backtest
from econsec.alerts.engine import RunReport, run_alerts, run_rules
from econsec.alerts.rules import Rule, find_rule, load_rule, load_rules

__all__ = [
    "Backtest",
    "Rule",
    "RunReport",
    "backtest",
    "find_rule",
    "load_rule",
    "load_rules",
    "run_alerts",
    "run_rules",
]
