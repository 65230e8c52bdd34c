"""Sub-commands of the ``audio2face`` CLI, one module each (``register(subparsers)``)."""
