"""What a route answering a file or a stream documents as its body, so every 2xx response in the
OpenAPI documents has a schema (``responses={200: {"content": {"text/csv": TEXT}}}``)."""

TEXT = {"schema": {"type": "string"}}  # CSV, XML, HTML, an event stream
BINARY = {"schema": {"type": "string", "format": "binary"}}  # XLSX, an image
