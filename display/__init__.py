"""The waiting-room display board: shows and speaks the calls of one site."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
