"""Where things are: native-models/ (the checkpoint, the shipped models, runs/, tools/) and the repository."""
from __future__ import annotations

import os

NATIVE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # native-models/
REPO = os.path.dirname(NATIVE)
TOOLS = os.path.join(NATIVE, "tools")  # the node helpers: onnxruntime-node and nsfwjs, run from Python
