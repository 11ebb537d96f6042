#!/usr/bin/env bash
# WeasyPrint needs Pango (and its dependencies) from the system.
if ! .venv/bin/python -c "import weasyprint" >/dev/null 2>&1; then
  echo "WeasyPrint cannot load its system libraries (Pango)."
  echo "On Debian/Ubuntu install them with:  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core"
  exit 1
fi
