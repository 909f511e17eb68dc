"""The engine's enlargement graph (main/engine/enlarge-graph.ts) is what tools/enlarge_graph.py makes."""
import os
import subprocess
import sys
import unittest

TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools', 'enlarge_graph.py')


class EnlargeGraph(unittest.TestCase):
    def test_module_is_generated_from_the_script(self):
        done = subprocess.run([sys.executable, TOOL, '--check'], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)


if __name__ == '__main__':
    unittest.main()
