"""Building blocks of the stochastic ground-motion method (Boore 2003, Pure Appl. Geophys. 160).

``source`` (Brune ω² point source), ``path`` (geometric spreading, anelastic attenuation),
``site`` (quarter-wavelength amplification, κ0 filter) and ``timeseries`` (Saragoni–Hart window,
shaping of windowed Gaussian noise to a target Fourier amplitude spectrum). The generator that
assembles them into three-component records is :mod:`seismoalice.data.synthetic`.
"""
