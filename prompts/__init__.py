"""Text shown to people (viewers, hosts, customer service), in Chinese and English.

Rendered strictly by :mod:`assistant.prompts`: a template that names a missing variable fails
(a test catches it), never a live reply.
"""

from pathlib import Path

PROMPTS_DIR = Path(__file__).parent
