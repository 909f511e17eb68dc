"""The engine's graph modules are what their tools make: main/engine/enlarge-graph.ts (tools/enlarge_graph.py) and
main/engine/mask-graph.ts (tools/mask_graph.py)."""
import os
import subprocess
import sys
import unittest

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools')


class GeneratedGraphs(unittest.TestCase):
    def check(self, tool: str):
        done = subprocess.run([sys.executable, os.path.join(TOOLS, tool), '--check'], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_enlarge_graph_is_generated_from_its_script(self):
        self.check('enlarge_graph.py')

    def test_mask_graph_is_generated_from_its_script(self):
        self.check('mask_graph.py')


if __name__ == '__main__':
    unittest.main()
