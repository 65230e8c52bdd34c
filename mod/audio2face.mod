+ MAYAVERSION:2023 PLATFORM:win64 Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2023-win64
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2023 PLATFORM:linux Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2023-linux
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2023 PLATFORM:mac Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2023-mac
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2024 PLATFORM:win64 Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2024-win64
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2024 PLATFORM:linux Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2024-linux
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2024 PLATFORM:mac Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2024-mac
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2025 PLATFORM:win64 Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2025-win64
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2025 PLATFORM:linux Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2025-linux
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2025 PLATFORM:mac Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2025-mac
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2026 PLATFORM:win64 Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2026-win64
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2026 PLATFORM:linux Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2026-linux
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons

+ MAYAVERSION:2026 PLATFORM:mac Audio2Face 0.1.0 ..
AUDIO2FACE_ROOT:=
PYTHONPATH+:=scripts
PYTHONPATH+:=deps/maya2026-mac
MAYA_PLUG_IN_PATH+:=maya_plugin
scripts: scripts
icons: icons
