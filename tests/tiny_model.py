"""The smallest ALICE model config the training tests share (fast on CPU)."""

TINY = {
    "nzd": 4,
    "nzf": 2,
    "ndf": 4,
    "ndf_d": 4,
    "width_d": 8,
    "map_width": 4,
    "envelope_width": 8,
}
