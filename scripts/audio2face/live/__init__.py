"""Live mode: audio sources (microphone, a file at real time, raw PCM on stdin) and the places streamed
frames go (OSC, Unreal Live Link Face, JSON lines). The engine is ``audio2face.streaming``.

``sounddevice`` (microphone) and ``python-osc`` (OSC) are the optional ``live`` extra; each is imported
only by the input or output that needs it.
"""

from __future__ import annotations
