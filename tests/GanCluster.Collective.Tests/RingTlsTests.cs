using System.Diagnostics;

namespace GanCluster.Collective.Tests;

/// <summary>Ring links over TLS, where each rank trusts only the ring's own authority.</summary>
public sealed class RingTlsTests
{
    /// <summary>The same ring with every rank serving a certificate of <paramref name="authority"/> for 127.0.0.1.</summary>
    internal static RingOptions[] OverTls(RingOptions[] ring, System.Security.Cryptography.X509Certificates.X509Certificate2 authority) =>
        ring.Select(o => o with { Certificate = RingTls.Issue(authority, ["127.0.0.1", "localhost"]), CertificateAuthority = authority }).ToArray();

    [Fact]
    public async Task A_ring_over_TLS_sums_and_every_rank_gets_the_same_bits()
    {
        var rings = await RingAllReduceTests.StartAll(OverTls(RingAllReduceTests.Ring(3), RingTls.CreateAuthority("ring-test")));
        var inputs = Enumerable.Range(0, 3).Select(r => Enumerable.Range(0, 5000).Select(i => (float)(r * 5000 + i)).ToArray()).ToArray();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(r => Task.Run(() => RingAllReduceTests.AllReduce(rings[r], inputs[r], "tls"))));
            for (var i = 0; i < 5000; i++)
                Assert.All(inputs, x => Assert.Equal(3f * i + 15000f, x[i]));
        }
        finally
        {
            await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_rank_refuses_a_listener_whose_certificate_another_authority_issued()
    {
        var options = OverTls(RingAllReduceTests.Ring(2), RingTls.CreateAuthority("ring-test"));
        // Rank 1 holds the secret but a certificate of another authority: the TLS handshake fails before any Hello.
        options[1] = OverTls([options[1]], RingTls.CreateAuthority("elsewhere"))[0];
        using var stopRank1 = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var rank1 = RingCommunicator.StartAsync(options[1], stopRank1.Token);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CollectiveException>(() => RingCommunicator.StartAsync(options[0], TestContext.Current.CancellationToken));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}: {e.Message}");
        Assert.Contains($"rank 0: the listener at {options[0].Endpoints[1]} presented no certificate of the ring's authority", e.Message);
        await stopRank1.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => rank1);
    }

    [Fact]
    public void A_certificate_without_an_authority_to_trust_is_refused_at_start()
    {
        var options = RingAllReduceTests.Ring(1)[0] with { Certificate = RingTls.Issue(RingTls.CreateAuthority("ring-test"), ["127.0.0.1"]) };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("CertificateAuthority", e.Message);
    }
}
