"""Alert rules: YAML rules (`rules`), their conditions (`conditions`), the engine that
runs them (`engine`), what it remembers (`state`) and how it tells people (`notify`)."""

from econsec.alerts.engine import Backtest, RunReport, backtest, run_alerts, run_rules
from econsec.alerts.rules import Rule, find_rule, load_rule, load_rules
from econsec.store.embedded.alert_state import AlertState, open_state

__all__ = [
    "AlertState",
    "Backtest",
    "Rule",
    "RunReport",
    "backtest",
    "find_rule",
    "load_rule",
    "load_rules",
    "open_state",
    "run_alerts",
    "run_rules",
]
