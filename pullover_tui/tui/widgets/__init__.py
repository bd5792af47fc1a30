"""Small reusable widgets of the terminal app."""
