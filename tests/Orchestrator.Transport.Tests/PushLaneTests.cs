using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Transport.Lanes;
using Orchestrator.Transport.Server;

namespace Orchestrator.Transport.Tests;

/// <summary>Push lanes: blocking client-streaming calls, to a lane server or to Kestrel's in-place connections.</summary>
public class PushLaneTests
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_lane_carries_calls_one_after_another_with_messages_of_every_size(bool laneServer)
    {
        var digests = new InPlaceDigests();
        await using var host = await InPlaceHost.StartAsync(digests, new GrpcServerOptions { BearerToken = "t", MaxReceiveMessageSize = 8 << 20 }, laneServer);
        using var lane = PushLane.Connect(host.Address, new PushLaneOptions { BearerToken = "t" }, CancellationToken.None);
        var random = new Random(3);
        for (int call = 0; call < 3; call++)
        {
            lane.Begin(TestMethods.Digest.FullName, CancellationToken.None);
            using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            // Empty, tiny, above the direct-read threshold, and above the in-place frame size (split over frames).
            foreach (int size in new[] { 0, 1, 1000, 70_000, 5 * 1024 * 1024 + 3 })
            {
                byte[] message = new byte[size];
                random.NextBytes(message);
                // Head and tail split anywhere: the message is their concatenation.
                int split = random.Next(0, size + 1);
                lane.Write(message.AsSpan(0, split), message.AsSpan(split));
                expected.AppendData(message);
                total += size;
            }
            byte[] response = lane.Finish(Answer);
            Assert.Equal($"{Convert.ToHexStringLower(expected.GetHashAndReset())}:{total}", Encoding.ASCII.GetString(response));
        }
        Assert.Equal(3, digests.Calls);
        Assert.True(lane.IsUsable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task refusals_come_back_as_statuses_and_the_lane_serves_the_next_call(bool laneServer)
    {
        await using var host = await InPlaceHost.StartAsync(new InPlaceDigests(), new GrpcServerOptions { BearerToken = "t", MaxReceiveMessageSize = 1000 }, laneServer);
        using var lane = PushLane.Connect(host.Address, new PushLaneOptions { BearerToken = "t" }, CancellationToken.None);
        using var anonymous = PushLane.Connect(host.Address, new PushLaneOptions(), CancellationToken.None);
        using var impostor = PushLane.Connect(host.Address, new PushLaneOptions { BearerToken = "wrong" }, CancellationToken.None);
        Assert.Equal(StatusCode.OK, Call(lane, TestMethods.Digest.FullName, 1000));
        Assert.Equal(StatusCode.Unauthenticated, Call(anonymous, TestMethods.Digest.FullName, 10));
        Assert.Equal(StatusCode.Unauthenticated, Call(impostor, TestMethods.Digest.FullName, 10));
        Assert.Equal(StatusCode.ResourceExhausted, Call(lane, TestMethods.Digest.FullName, 1001));
        Assert.Equal(StatusCode.Unimplemented, Call(lane, TestMethods.ClientStream.FullName, 10));
        Assert.Equal(StatusCode.OK, Call(lane, TestMethods.Digest.FullName, 0));
        Assert.True(lane.IsUsable);
    }

    [Fact]
    public async Task a_server_that_goes_away_fails_the_call_as_unavailable_and_the_lane_is_unusable()
    {
        var host = await InPlaceHost.StartAsync(new InPlaceDigests(), new GrpcServerOptions(), laneServer: true);
        using var lane = PushLane.Connect(host.Address, new PushLaneOptions(), CancellationToken.None);
        lane.Begin(TestMethods.Digest.FullName, CancellationToken.None);
        lane.Write([1, 2, 3], []);
        await host.DisposeAsync();
        var error = Assert.Throws<RpcException>(() =>
        {
            // Writes may still fit the socket's buffer; the answer cannot come.
            for (int i = 0; i < 1000; i++) lane.Write(new byte[64 * 1024], []);
            lane.Finish(Answer);
        });
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.False(lane.IsUsable);
        Assert.Equal(StatusCode.Unavailable, Assert.Throws<RpcException>(() => lane.Begin(TestMethods.Digest.FullName, CancellationToken.None)).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_lane_over_TLS_trusts_what_its_callback_trusts(bool laneServer)
    {
        using var certificate = TlsTests.SelfSigned();
        var digests = new InPlaceDigests();
        await using var host = await InPlaceHost.StartAsync(digests, new GrpcServerOptions { Certificate = certificate }, laneServer);
        Assert.Equal("https", host.Address.Scheme);
        var pinned = new PushLaneOptions { RemoteCertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() };
        using (var lane = PushLane.Connect(host.Address, pinned, CancellationToken.None))
        {
            lane.Begin(TestMethods.Digest.FullName, CancellationToken.None);
            lane.Write("sec"u8, "ure"u8);
            Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData("secure"u8))}:6", Encoding.ASCII.GetString(lane.Finish(Answer)));
        }
        // The system's trust does not know a self-signed certificate.
        var refused = Assert.Throws<RpcException>(() => PushLane.Connect(host.Address, new PushLaneOptions(), CancellationToken.None));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("TLS", refused.Status.Detail);
        Assert.Equal(1, digests.Calls);
    }

    [Fact]
    public void connecting_where_nothing_listens_is_unavailable()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndPoint!).Port}");
        var error = Assert.Throws<RpcException>(() => PushLane.Connect(closed, new PushLaneOptions(), CancellationToken.None));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"127.0.0.1:{closed.Port}", error.Status.Detail);
    }

    [Fact]
    public async Task a_cancelled_call_is_reset_and_the_lane_serves_the_next()
    {
        var digests = new InPlaceDigests();
        await using var host = await InPlaceHost.StartAsync(digests, new GrpcServerOptions(), laneServer: true);
        using var lane = PushLane.Connect(host.Address, new PushLaneOptions(), CancellationToken.None);
        using var cancellation = new CancellationTokenSource();
        lane.Begin(TestMethods.Digest.FullName, cancellation.Token);
        lane.Write("half"u8, []);
        await cancellation.CancelAsync();
        Assert.Equal(StatusCode.Cancelled, Assert.Throws<RpcException>(() => lane.Write("more"u8, [])).StatusCode);
        Assert.Equal(StatusCode.OK, Call(lane, TestMethods.Digest.FullName, 4));
        Assert.Equal(2, digests.Calls);
    }

    /// <summary>
    /// A sender may keep a call open across its uses of the lane: <see cref="PushLane.InCall"/> says whether one is, and
    /// <see cref="PushLane.CancelCall"/> resets it without losing the lane. A call the server ended is no longer open.
    /// </summary>
    [Fact]
    public async Task a_call_kept_open_is_seen_as_open_until_either_side_ends_it()
    {
        var digests = new InPlaceDigests();
        await using var host = await InPlaceHost.StartAsync(digests, new GrpcServerOptions { MaxReceiveMessageSize = 1000 }, laneServer: true);
        using var lane = PushLane.Connect(host.Address, new PushLaneOptions(), CancellationToken.None);
        Assert.False(lane.InCall);
        lane.Begin(TestMethods.Digest.FullName, CancellationToken.None);
        lane.Write("kept"u8, []);
        Assert.True(lane.InCall);
        lane.CancelCall();
        Assert.False(lane.InCall);
        Assert.Equal(StatusCode.Cancelled, Assert.Throws<RpcException>(() => lane.Write("more"u8, [])).StatusCode);

        lane.Begin(TestMethods.Digest.FullName, CancellationToken.None);
        lane.Write(new byte[1001], []);   // above the server's limit: it ends the call
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (lane.InCall && clock.Elapsed < Answer) Thread.Sleep(10);
        Assert.False(lane.InCall);
        Assert.Equal(StatusCode.OK, Call(lane, TestMethods.Digest.FullName, 4));
        Assert.Equal(3, digests.Calls);
        Assert.True(lane.IsUsable);
    }

    /// <summary>One call of one <paramref name="size"/>-byte message; its status.</summary>
    private static StatusCode Call(PushLane lane, string method, int size)
    {
        try
        {
            lane.Begin(method, CancellationToken.None);
            lane.Write(new byte[size], []);
            lane.Finish(Answer);
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
