"""Baseline broadband methods behind one interface (:class:`~.base.BroadbandMethod`).

``lf`` (the LF input itself), ``stochastic`` (LF + Boore 2003 stochastic high frequencies, informed
or estimated magnitude/distance), ``ann2bb`` (Paolucci et al. 2018) and the ALICE generator
(:class:`~.base.AliceMethod`).
"""
