"""Run Audio2Face batch jobs in mayapy by path: ``mayapy <module root>/bin/audio2face_batch.py JOBS [...]``.

``mayapy -m audio2face_maya.batch`` needs the package on sys.path when the interpreter starts, before
``maya.standalone.initialize()`` reads any ``.mod`` file, so it fails on a farm node that only has the
module. This launcher finds its module folder from its own path, puts ``scripts/`` and the dependency
folders for this Maya version (``audio2face_maya.paths.dependency_folders``) first on sys.path, then
runs ``audio2face_maya.batch`` with the same arguments and exit codes (docs/maya.md, "Batch").
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def prepare_path(root=ROOT):
    """Put the module's scripts and dependencies first on sys.path; returns them in that order."""
    scripts = os.path.join(root, "scripts")
    if scripts in sys.path:
        sys.path.remove(scripts)
    sys.path.insert(0, scripts)
    from audio2face_maya import paths

    folders = [scripts] + [str(f) for f in paths.dependency_folders(paths.Path(root),
                                                                     paths.maya_years_of_this_python())]
    for folder in reversed(folders):
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    return folders


def main(argv=None):
    prepare_path()
    from audio2face_maya import batch

    return batch.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
