"""Contract math for the NHTC financings.

Plain Python only: no Django import may appear anywhere under this package
(``tests/terms/test_no_django.py`` enforces it). Inputs and outputs are
``Decimal``, ``date``, small frozen dataclasses and enums. Every public
function names the clause it implements in its docstring.

Abbreviations: SPA = Securities Purchase Agreement, RRA = Registration
Rights Agreement, Debenture = 6% Convertible Debenture (with Exhibit A,
the Notice of Conversion), Indemnification = Indemnification Agreement.
"""
