"""Audio2Face for Maya: the core (audio, features, inference, retargeting, post, formats, CLI).

This package never imports Maya, Qt or TensorFlow.
"""

from __future__ import annotations

__version__ = "0.1.0"
