"""What a route answering a file or a stream documents as its body, so every 2xx response in the
OpenAPI documents has a schema (``responses={200: {"content": {"text/csv": TEXT}}}``)."""

TEXT = {"schema": {"type": "string"}}  # CSV, XML, HTML
# An event stream's schema describes each event (its fields as the SSE format names them), which
# is how schemathesis reads and checks a text/event-stream answer.
EVENTS = {"schema": {"type": "object", "properties": {
    "id": {"type": "string"}, "event": {"type": "string"}, "data": {"type": "string"},
    "retry": {"type": "integer"}}}}
BINARY = {"schema": {"type": "string", "format": "binary"}}  # XLSX, an image
