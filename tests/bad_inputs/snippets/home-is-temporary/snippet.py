from pathlib import Path

marker = Path.home() / 'kb-home-marker'
marker.write_text('x')
home = str(Path.home())
