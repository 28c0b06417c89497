"""The assessment service's domain: pure rules and aggregates, no IO."""
