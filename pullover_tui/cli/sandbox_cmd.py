"""``pullover-tui sandbox``: run the local Pushover-compatible server (placeholder wiring)."""
