"""Readers of source formats, one module per format; each yields
:class:`~seismoalice.data.records.Record` or :class:`~seismoalice.data.records.Skip` objects.
The registry :mod:`seismoalice.data.formats` names them."""
