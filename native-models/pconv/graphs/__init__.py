"""The small ONNX graphs the engine runs around the network, written into main/engine/fill/ as TypeScript modules
(enlarge.py: enlarge-graph.ts; mask.py: mask-graph.ts); `--check` says whether a module is up to date."""
