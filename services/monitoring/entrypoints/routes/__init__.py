"""The monitoring routers, in the order the app includes them: a fixed path under /alerts
(the delivery's /alerts/stream) must come before /alerts/{alert_id}."""

from services.monitoring.entrypoints.routes import alerts, dashboard, days, rules, stream, subscriptions

ROUTERS = [rules.router, days.router, stream.router, subscriptions.router, alerts.router, dashboard.router]
