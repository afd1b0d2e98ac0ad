using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Bench;

/// <summary>One plain TCP connection between every pair of ranks, found through a rendezvous directory.</summary>
internal static class TcpMesh
{
    /// <summary>
    /// Listens, publishes the address in <paramref name="rendezvous"/>, connects to every higher rank (sending its own
    /// rank) and accepts every lower one. The sockets in rank order; null at <paramref name="rank"/>.
    /// </summary>
    public static async Task<Socket?[]> ConnectAsync(string rendezvous, int rank, int world, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(world);
        IReadOnlyList<Uri> addresses = await FileRendezvous.ExchangeAsync(rendezvous, rank, world, new Uri($"tcp://{listener.LocalEndPoint}"), cancellationToken);
        var peers = new Socket?[world];
        for (int peer = rank + 1; peer < world; peer++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(addresses[peer].Host, addresses[peer].Port, cancellationToken);
            await socket.SendAsync(BitConverter.GetBytes(rank), cancellationToken);
            peers[peer] = socket;
        }
        for (int accepted = 0; accepted < rank; accepted++)
        {
            Socket socket = await listener.AcceptAsync(cancellationToken);
            socket.NoDelay = true;
            var peerRank = new byte[sizeof(int)];
            await socket.ReceiveAsync(peerRank, cancellationToken);
            peers[BitConverter.ToInt32(peerRank)] = socket;
        }
        return peers;
    }
}
