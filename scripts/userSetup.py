"""Audio2Face for Maya start-up: does nothing in batch mode; loads the plug-in once the UI is idle.

Maya runs every ``userSetup.py`` on ``sys.path`` at start-up; the module's ``.mod`` puts this folder there.
"""

from __future__ import annotations

try:
    import audio2face_maya.startup

    audio2face_maya.startup.main()
except Exception as exc:  # a broken install must never stop Maya from starting
    print(f"Audio2Face: start-up skipped ({exc})")
