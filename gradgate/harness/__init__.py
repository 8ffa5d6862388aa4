"""gradgate's harness: loading an implementation, the oracles, bounds, the engine, reports."""
