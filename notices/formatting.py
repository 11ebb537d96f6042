"""How figures are written on a notice: the project's one formatter (``nhtc.formatting``)."""

from nhtc.formatting import *  # noqa: F403
from nhtc.formatting import DASH, MINUS, _dec, as_date  # noqa: F401 -- names the notice kinds use
