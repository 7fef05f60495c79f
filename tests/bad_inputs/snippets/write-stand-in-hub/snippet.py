import os
from pathlib import Path

Path(os.environ.get('HF_HOME', 'KB_OUTSIDE'), 'poison').write_text('x')
