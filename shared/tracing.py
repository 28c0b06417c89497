"""OpenTelemetry set-up, and the trace context carried through the store and Kafka.

With ``XINGCUN_OTEL_EXPORTER=none`` no provider is installed: the API's no-op tracer
costs next to nothing. ``console`` writes spans as JSON (to a file if
``XINGCUN_OTEL_CONSOLE_PATH`` is set), ``otlp`` sends them to a collector.
"""

from __future__ import annotations

import contextlib

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)

from shared.config import Settings

_configured = False


def setup_tracing(service_name: str, settings: Settings) -> None:
    global _configured
    if _configured or settings.otel_exporter == "none":
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if settings.otel_exporter == "console":
        out = open(settings.otel_console_path, "a", buffering=1) if settings.otel_console_path else None  # noqa: SIM115
        exporter = ConsoleSpanExporter(
            out=out, formatter=lambda span: span.to_json(indent=None) + "\n"
        ) if out else ConsoleSpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_otlp_endpoint)))
    else:
        raise ValueError(f"unknown XINGCUN_OTEL_EXPORTER {settings.otel_exporter!r}")
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor().instrument()
    _configured = True


def enabled() -> bool:
    return _configured


def current_traceparent() -> str | None:
    if not trace.get_current_span().get_span_context().is_valid:
        return None  # nothing to carry (the usual case with tracing off), without the propagators' work
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def context_from_headers(headers: list[tuple[str, bytes]] | dict | None):
    if not headers:
        return propagate.extract({})
    items = headers.items() if isinstance(headers, dict) else headers
    carrier = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in items if k == "traceparent" and v}
    return propagate.extract(carrier)


def span(name: str, *, context=None, kind=None, attributes: dict | None = None):
    """A span when tracing is on; with ``XINGCUN_OTEL_EXPORTER=none`` not even the no-op
    tracer's bookkeeping runs on the hot paths (append, relay, projections)."""
    if not _configured:
        return contextlib.nullcontext()
    kwargs = {"context": context, "attributes": attributes}
    if kind is not None:
        kwargs["kind"] = kind
    return trace.get_tracer("xingcun").start_as_current_span(name, **kwargs)
