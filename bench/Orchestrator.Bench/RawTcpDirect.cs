using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Bench;

/// <summary>
/// The exchange pattern of ShardOrderedAllReduce without gRPC: direct reduce-scatter (each rank sends segment j of its
/// buffer to rank j) then direct all-gather (each rank sends its reduced segment to every other), chunked, over one
/// plain TCP connection per pair of ranks, with blocking I/O on a sending and a receiving pool thread per peer (the pool keeps enough threads that none is created
/// per all-reduce). The
/// reduce-scatter is received into a scratch chunk per peer and added in arrival order (the bench's values are small
/// integers, so every order gives the same bits); the all-gather straight into the result. Not a transport of the
/// product: beside <see cref="RawTcpRing"/> it shows what the direct pattern itself costs on this machine, and beside
/// ours what the HTTP/2 and gRPC layers cost on top of it.
/// </summary>
internal sealed class RawTcpDirect : IRawTcpAllReduce
{
    private readonly Socket?[] _peers;
    private readonly int _rank;
    private readonly int _chunkElements;
    private readonly Dictionary<int, float[]> _sums = [];

    private RawTcpDirect(Socket?[] peers, int rank, int chunkElements) => (_peers, _rank, _chunkElements) = (peers, rank, chunkElements);

    private int World => _peers.Length;

    /// <summary>Listens, publishes the address, connects to every higher rank (sending its own rank) and accepts every lower one.</summary>
    public static async Task<RawTcpDirect> ConnectAsync(AllReduceOptions options, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(options.World);
        IReadOnlyList<Uri> addresses = await FileRendezvous.ExchangeAsync(options.Rendezvous, options.Rank, options.World,
            new Uri($"tcp://{listener.LocalEndPoint}"), cancellationToken);
        var peers = new Socket?[options.World];
        for (int peer = options.Rank + 1; peer < options.World; peer++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(addresses[peer].Host, addresses[peer].Port, cancellationToken);
            await socket.SendAsync(BitConverter.GetBytes(options.Rank), cancellationToken);
            peers[peer] = socket;
        }
        for (int accepted = 0; accepted < options.Rank; accepted++)
        {
            Socket socket = await listener.AcceptAsync(cancellationToken);
            socket.NoDelay = true;
            var rank = new byte[sizeof(int)];
            await socket.ReceiveAsync(rank, cancellationToken);
            peers[BitConverter.ToInt32(rank)] = socket;
        }
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 2 * options.World + 2), completionPorts);
        return new RawTcpDirect(peers, options.Rank, options.ChunkElements);
    }

    public float[] AllReduce(float[] values)
    {
        if (!_sums.TryGetValue(values.Length, out float[]? sum)) _sums[values.Length] = sum = new float[values.Length];
        var (start, length) = Segment(_rank, values.Length);
        var chunks = new ChunkCounts((length + _chunkElements - 1) / _chunkElements, World - 1);
        values.AsSpan(start, length).CopyTo(sum.AsSpan(start, length));
        var transfers = new List<Task>();
        for (int peer = 0; peer < World; peer++)
        {
            if (peer == _rank) continue;
            Socket socket = _peers[peer]!;
            var (peerStart, peerLength) = Segment(peer, values.Length);
            transfers.Add(Task.Run(() =>
            {
                for (int offset = 0; offset < peerLength; offset += _chunkElements)
                    Send(socket, values.AsSpan(peerStart + offset, Math.Min(_chunkElements, peerLength - offset)));
                for (int chunk = 0, offset = 0; offset < length; chunk++, offset += _chunkElements)
                {
                    chunks.WaitUntilReduced(chunk);
                    Send(socket, sum.AsSpan(start + offset, Math.Min(_chunkElements, length - offset)));
                }
            }));
            transfers.Add(Task.Run(() =>
            {
                var scratch = new float[_chunkElements];
                for (int chunk = 0, offset = 0; offset < length; chunk++, offset += _chunkElements)
                {
                    int count = Math.Min(_chunkElements, length - offset), at = start + offset;
                    Receive(socket, scratch.AsSpan(0, count));
                    chunks.Add(chunk, () => Fold.Add(sum.AsSpan(at, count), scratch.AsSpan(0, count)));
                }
                for (int offset = 0; offset < peerLength; offset += _chunkElements)
                    Receive(socket, sum.AsSpan(peerStart + offset, Math.Min(_chunkElements, peerLength - offset)));
            }));
        }
        Task.WaitAll(transfers);
        return sum;
    }

    public void Dispose()
    {
        foreach (Socket? socket in _peers) socket?.Dispose();
    }

    private static void Send(Socket socket, ReadOnlySpan<float> values)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        while (!bytes.IsEmpty) bytes = bytes[socket.Send(bytes)..];
    }

    private void Receive(Socket socket, Span<float> values)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(values);
        while (!bytes.IsEmpty)
        {
            int read = socket.Receive(bytes);
            if (read == 0) throw new IOException($"rank {_rank}: a peer closed its connection mid all-reduce");
            bytes = bytes[read..];
        }
    }

    private (int Start, int Length) Segment(int rank, int floats)
    {
        long start = (long)floats * rank / World, end = (long)floats * (rank + 1) / World;
        return ((int)start, (int)(end - start));
    }

    /// <summary>How many peers' contributions each chunk of this rank's segment has folded in; a chunk is reduced at all of them.</summary>
    private sealed class ChunkCounts(int chunks, int peers)
    {
        private readonly int[] _folded = new int[chunks];

        public void Add(int chunk, Action fold)
        {
            lock (_folded)
            {
                fold();
                _folded[chunk]++;
                Monitor.PulseAll(_folded);
            }
        }

        public void WaitUntilReduced(int chunk)
        {
            lock (_folded)
                while (_folded[chunk] < peers) Monitor.Wait(_folded);
        }
    }
}
