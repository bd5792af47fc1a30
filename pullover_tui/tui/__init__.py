"""The Textual face of pullover-tui: compose and send, manage profiles, demo mode.

Only ``launch`` and the modules below it import Textual; the CLI reaches this
package through ``pullover_tui.tui.launch.launch`` alone.
"""
