"""The Pushover core: message model, validation, client, configuration and storage.

Nothing in here imports Textual, Rich or the command line; the faces (library,
CLI, TUI) are thin layers over these modules.
"""
