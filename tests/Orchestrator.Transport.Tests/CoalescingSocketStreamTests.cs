using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Orchestrator.Transport.Client;

namespace Orchestrator.Transport.Tests;

/// <summary>The client's connection stream: queued writes reach the peer whole and in order, in fewer, larger sends.</summary>
public sealed class CoalescingSocketStreamTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task many_small_writes_arrive_whole_and_in_order_and_replies_are_read()
    {
        (Stream connected, Socket accepted) = await ConnectedPairAsync();
        await using Stream stream = connected;
        using Socket peer = accepted;

        byte[] sent = RandomNumberGenerator.GetBytes(8 * 1024 * 1024 + 13);
        Task<byte[]> received = ReceiveAsync(peer, sent.Length);
        for (int offset = 0; offset < sent.Length; offset += 16 * 1024 + 9)
            await stream.WriteAsync(sent.AsMemory(offset, Math.Min(16 * 1024 + 9, sent.Length - offset)));
        Assert.Equal(sent, await received.WaitAsync(HangGuard));

        await peer.SendAsync("reply"u8.ToArray());
        byte[] reply = new byte[5];
        await stream.ReadExactlyAsync(reply).AsTask().WaitAsync(HangGuard);
        Assert.Equal("reply"u8.ToArray(), reply);
    }

    [Fact]
    public async Task writes_fail_once_the_peer_is_gone()
    {
        (Stream connected, Socket accepted) = await ConnectedPairAsync();
        await using Stream stream = connected;
        accepted.Dispose();
        Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(HangGuard));
        // The first writes may still be queued or taken by the kernel; sending into a reset connection fails soon after.
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (int k = 0; k < 1000; k++)
            {
                await stream.WriteAsync(new byte[64 * 1024]).AsTask().WaitAsync(HangGuard);
                await Task.Delay(1);
            }
        });
    }

    /// <summary>Our stream connected to a plain socket on loopback, the peer's end of it.</summary>
    private static async Task<(Stream Stream, Socket Peer)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task<Socket> accepted = listener.AcceptSocketAsync();
        Stream stream = await CoalescingSocketStream.ConnectAsync(new DnsEndPoint("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port), CancellationToken.None);
        return (stream, await accepted.WaitAsync(HangGuard));
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int length)
    {
        byte[] buffer = new byte[length];
        for (int at = 0; at < length;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(at));
            if (n == 0) throw new EndOfStreamException($"the connection closed after {at} of {length} bytes");
            at += n;
        }
        return buffer;
    }
}
