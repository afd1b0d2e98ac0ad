using System.Net.Sockets;

namespace Orchestrator.Bench;

/// <summary>
/// The barrier before each timed all-reduce on our side: a dissemination barrier (in round k, send a byte to rank
/// r + 2^k and take one from rank r − 2^k; ⌈log2 n⌉ rounds) over plain TCP connections of its own, so that the ranks
/// leave it about as close together as Gloo's ranks leave <c>dist.barrier()</c>, which disseminates over Gloo's pairs
/// too. (Our all-reduce of one float, the barrier before, is 2(n − 1) hops in a row: the ranks left it up to several
/// hops apart, and the slowest rank's time took the wait.) Not the product's: a harness.
/// </summary>
internal sealed class MeshBarrier : IDisposable
{
    private readonly Socket?[] _peers;
    private readonly int _rank;
    private readonly byte[] _token = new byte[1];

    private MeshBarrier(Socket?[] peers, int rank) => (_peers, _rank) = (peers, rank);

    public static async Task<MeshBarrier> ConnectAsync(AllReduceOptions options, CancellationToken cancellationToken) =>
        new(await TcpMesh.ConnectAsync(Path.Combine(options.Rendezvous, "barrier"), options.Rank, options.World, cancellationToken), options.Rank);

    /// <summary>Returns once every rank has called it.</summary>
    public void Wait()
    {
        int world = _peers.Length;
        for (int distance = 1; distance < world; distance <<= 1)
        {
            _peers[(_rank + distance) % world]!.Send(_token);
            if (_peers[RawSockets.Wrap(_rank - distance, world)]!.Receive(_token) == 0)
                throw new IOException($"rank {_rank}: a peer left during the barrier");
        }
    }

    public void Dispose()
    {
        foreach (Socket? socket in _peers) socket?.Dispose();
    }
}
