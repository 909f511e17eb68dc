"""The engine's graph modules are what their generators make: main/engine/fill/enlarge-graph.ts (pconv/graphs/enlarge.py)
main/engine/fill/mask-graph.ts (pconv/graphs/mask.py), main/engine/fill/texture-graph.ts (pconv/graphs/texture.py) and
main/engine/fill/patches-graph.ts (pconv/graphs/patches.py)."""
import subprocess
import sys
import unittest

from pconv.paths import NATIVE


class GeneratedGraphs(unittest.TestCase):
    def check(self, module: str):
        done = subprocess.run([sys.executable, '-m', module, '--check'], cwd=NATIVE, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_enlarge_graph_is_generated_from_its_script(self):
        self.check('pconv.graphs.enlarge')

    def test_mask_graph_is_generated_from_its_script(self):
        self.check('pconv.graphs.mask')

    def test_texture_graph_is_exported_from_its_code(self):
        self.check('pconv.graphs.texture')

    def test_patches_graph_is_exported_from_its_code(self):
        self.check('pconv.graphs.patches')


if __name__ == '__main__':
    unittest.main()
