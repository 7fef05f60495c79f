from pathlib import Path

Path('KB_OUTSIDE').write_text('poisoned')
