"""ALICE networks: sizes against the original's layer tables, shapes, noise, nonlinearity.

Reference parameter counts: shared reference seismoalice_original.md §4 (computed there from
the original layer definitions of FilLTP89/SeismoALICE).
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from seismoalice.models import Decoder, Discriminator, Encoder, LatentMap


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


@pytest.mark.parametrize(
    ("net", "expected"),
    [
        (lambda: Encoder(32), 206_528),  # Fed
        (lambda: Encoder(8), 181_952),  # Fef
        (lambda: Decoder(32), 238_912),  # Gdd
        (lambda: Decoder(8), 189_760),  # Gdf
        (lambda: LatentMap(8, 32), 14_016),  # Ghz
    ],
)
def test_default_sizes_match_original(net, expected):
    assert n_params(net()) == expected


@settings(max_examples=8, deadline=None)
@given(k=st.integers(1, 6), nz=st.integers(1, 6), n=st.integers(1, 3))
def test_shapes_for_any_length_multiple_of_32(k, nz, n):
    t = 32 * k
    x = torch.randn(n, 3, t)
    enc, dec = Encoder(nz, ndf=4).eval(), Decoder(nz, ndf=4, upsample="upsample").eval()
    z = enc(x)
    assert z.shape == (n, nz, k)
    y = dec(z)
    assert y.shape == (n, 3, t)
    assert y.abs().max() <= 1.0
    d_joint = Discriminator(3, nz, ndf=4, width=8).eval()
    d_pair_x = Discriminator(6, 0, ndf=4, width=8).eval()
    d_pair_z = Discriminator(0, 2 * nz, width=8).eval()
    assert d_joint(x, z).shape == (n, 1, k)
    assert d_pair_x(torch.cat([x, x], 1)).shape == (n, 1, k)
    assert d_pair_z(z=torch.cat([z, z], 1)).shape == (n, 1, k)


def test_leaky_relu_is_not_the_identity_of_the_original():
    nets = [Encoder(8), Discriminator(3, 8), Discriminator(6, 0)]
    slopes = {
        m.negative_slope for net in nets for m in net.modules() if isinstance(m, nn.LeakyReLU)
    }
    assert slopes == {0.2}
    enc = Encoder(4, ndf=4, noise=False).eval()
    x = torch.randn(2, 3, 128)
    # a linear (slope-1.0) encoder without biases would be odd: F(−x) = −F(x)
    assert not torch.allclose(enc(-x), -enc(x), atol=1e-4)


def test_noise_gives_different_realisations_and_can_be_disabled():
    x = torch.randn(2, 3, 128)
    noisy = Encoder(4, ndf=4).eval()
    assert not torch.allclose(noisy(x), noisy(x))
    quiet = Encoder(4, ndf=4, noise=False).eval()
    assert torch.equal(quiet(x), quiet(x))


def test_wgan_critic_has_no_batchnorm():
    critic = Discriminator(3, 4, ndf=4, width=8, norm=False)
    assert not any(isinstance(m, nn.BatchNorm1d) for m in critic.modules())
