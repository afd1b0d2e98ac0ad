using System.Net;
using System.Net.Sockets;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Bench;

/// <summary>How <see cref="RawTcpMesh"/> runs each phase: directly between every pair of ranks, or around the ring.</summary>
internal enum MeshPattern
{
    /// <summary>Ours' pattern: rank r reduces segment r from every rank's contribution, then sends it to every rank.</summary>
    Direct,

    /// <summary>Partial sums travel the ring (segment k starts at rank k and ends reduced at rank k - 1), then direct all-gather.</summary>
    RingReduceScatter,

    /// <summary>Direct reduce-scatter, then the reduced segments travel the ring.</summary>
    RingAllGather,
}

/// <summary>
/// All-reduce patterns over plain TCP, one connection per pair of ranks, blocking I/O on a sending and a receiving pool
/// thread per peer (the pool keeps enough threads that none is created per all-reduce), chunked like ours, partial sums
/// received into a scratch chunk and added, final segments received straight into the result. Contributions are added
/// in arrival order: the bench's values are exact in any order. Not a transport of the product: beside
/// <see cref="RawTcpRing"/> (both phases around the ring) it shows what each phase's pattern costs on this machine,
/// and <see cref="MeshPattern.Direct"/> beside ours what the HTTP/2 and gRPC layers add to ours' own pattern.
/// </summary>
internal sealed class RawTcpMesh : IBlockingAllReduce
{
    private readonly Socket?[] _peers;
    private readonly int _rank;
    private readonly int _chunkElements;
    private readonly MeshPattern _pattern;
    private readonly Dictionary<int, float[]> _sums = [];

    private RawTcpMesh(Socket?[] peers, int rank, int chunkElements, MeshPattern pattern) =>
        (_peers, _rank, _chunkElements, _pattern) = (peers, rank, chunkElements, pattern);

    private int World => _peers.Length;

    private int Right => (_rank + 1) % World;

    private int Left => (_rank + World - 1) % World;

    /// <summary>Connects the mesh (<see cref="TcpMesh"/>).</summary>
    public static async Task<RawTcpMesh> ConnectAsync(AllReduceOptions options, MeshPattern pattern, CancellationToken cancellationToken)
    {
        Socket?[] peers = await TcpMesh.ConnectAsync(options.Rendezvous, options.Rank, options.World, cancellationToken);
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 2 * options.World + 2), completionPorts);
        return new RawTcpMesh(peers, options.Rank, options.ChunkElements, pattern);
    }

    public float[] AllReduce(float[] values)
    {
        if (!_sums.TryGetValue(values.Length, out float[]? sum)) _sums[values.Length] = sum = new float[values.Length];
        var exchange = new Exchange(this, values, sum);
        var transfers = new List<Task>();
        for (int peer = 0; peer < World; peer++)
        {
            if (peer == _rank) continue;
            int p = peer;
            transfers.Add(Task.Run(() => exchange.SendTo(p)));
            transfers.Add(Task.Run(() => exchange.ReceiveFrom(p)));
        }
        Task.WaitAll(transfers);
        return sum;
    }

    public void Dispose()
    {
        foreach (Socket? socket in _peers) socket?.Dispose();
    }

    /// <summary>One all-reduce: what goes over each peer's connection, in the order both ends expect it.</summary>
    private sealed class Exchange
    {
        private readonly RawTcpMesh _mesh;
        private readonly float[] _values;
        private readonly float[] _sum;
        private readonly int _owned;            // the segment this rank ends the reduce-scatter with
        private readonly Counts _reduced;       // per chunk of the owned segment: contributions folded in
        private readonly int _contributions;    // how many make a chunk final
        private readonly Counts _relayed = new(1);   // chunks received in ring steps so far (one running count)

        public Exchange(RawTcpMesh mesh, float[] values, float[] sum)
        {
            (_mesh, _values, _sum) = (mesh, values, sum);
            bool ring = mesh._pattern == MeshPattern.RingReduceScatter;
            _owned = ring ? mesh.Right : mesh._rank;
            _reduced = new Counts(Chunks(_owned));
            _contributions = ring ? 1 : mesh.World - 1;
            if (!ring)
            {
                var (start, length) = Segment(_owned);
                values.AsSpan(start, length).CopyTo(sum.AsSpan(start, length));
            }
        }

        private int World => _mesh.World;

        private int ChunkElements => _mesh._chunkElements;

        public void SendTo(int peer)
        {
            Socket socket = _mesh._peers[peer]!;
            if (_mesh._pattern != MeshPattern.RingReduceScatter) SendChunks(socket, Segment(peer), _values, _ => { });
            else if (peer == _mesh.Right) SendAroundRing(socket, t => _mesh._rank - t, firstFrom: _values, waitForFirst: _ => { });
            if (_mesh._pattern != MeshPattern.RingAllGather) SendChunks(socket, Segment(_owned), _sum, chunk => _reduced.WaitFor(chunk, _contributions));
            else if (peer == _mesh.Right) SendAroundRing(socket, t => _mesh._rank - t, firstFrom: _sum, waitForFirst: chunk => _reduced.WaitFor(chunk, _contributions));
        }

        public void ReceiveFrom(int peer)
        {
            Socket socket = _mesh._peers[peer]!;
            var scratch = new float[ChunkElements];
            if (_mesh._pattern != MeshPattern.RingReduceScatter) FoldChunks(socket, scratch, Segment(_owned), (chunk, at, count) => Fold.Add(_sum.AsSpan(at, count), scratch.AsSpan(0, count)));
            else if (peer == _mesh.Left)
                for (int t = 0; t < World - 1; t++)
                {
                    bool last = t == World - 2;
                    FoldChunks(socket, scratch, Segment(_mesh._rank - t - 1), (chunk, at, count) =>
                    {
                        Fold.Sum(_sum.AsSpan(at, count), scratch.AsSpan(0, count), _values.AsSpan(at, count));
                        _relayed.Add(0);
                        if (last) _reduced.Add(chunk);
                    });
                }
            if (_mesh._pattern != MeshPattern.RingAllGather) ReceiveChunks(socket, Segment(OwnedBy(peer)));
            else if (peer == _mesh.Left)
                for (int t = 0; t < World - 1; t++)
                {
                    var (start, length) = Segment(_mesh._rank - t - 1);
                    for (int offset = 0; offset < length; offset += ChunkElements)
                    {
                        _mesh.Receive(socket, _sum.AsSpan(start + offset, Math.Min(ChunkElements, length - offset)));
                        _relayed.Add(0);
                    }
                }
        }

        /// <summary>
        /// Ring steps 0..n-2 toward the right neighbour: step t sends segment <paramref name="segmentAt"/>(t), the first
        /// from <paramref name="firstFrom"/> once <paramref name="waitForFirst"/> allows, each later one from the sum
        /// once the left neighbour's step t - 1 brought that chunk.
        /// </summary>
        private void SendAroundRing(Socket socket, Func<int, int> segmentAt, float[] firstFrom, Action<int> waitForFirst)
        {
            long relayedBefore = 0;
            for (int t = 0; t < World - 1; t++)
            {
                long before = relayedBefore;
                SendChunks(socket, Segment(segmentAt(t)), t == 0 ? firstFrom : _sum, chunk =>
                {
                    if (t == 0) waitForFirst(chunk);
                    else _relayed.WaitFor(0, before + chunk + 1);
                });
                if (t > 0) relayedBefore += Chunks(segmentAt(t));
            }
        }

        private void SendChunks(Socket socket, (int Start, int Length) segment, float[] source, Action<int> waitFor)
        {
            for (int chunk = 0, offset = 0; offset < segment.Length; chunk++, offset += ChunkElements)
            {
                waitFor(chunk);
                RawSockets.SendAll(socket, source.AsSpan(segment.Start + offset, Math.Min(ChunkElements, segment.Length - offset)));
            }
        }

        private void FoldChunks(Socket socket, float[] scratch, (int Start, int Length) segment, Action<int, int, int> fold)
        {
            for (int chunk = 0, offset = 0; offset < segment.Length; chunk++, offset += ChunkElements)
            {
                int count = Math.Min(ChunkElements, segment.Length - offset), at = segment.Start + offset, index = chunk;
                _mesh.Receive(socket, scratch.AsSpan(0, count));
                _reduced.Locked(() => fold(index, at, count), _mesh._pattern == MeshPattern.RingReduceScatter ? -1 : index);
            }
        }

        private void ReceiveChunks(Socket socket, (int Start, int Length) segment)
        {
            for (int offset = 0; offset < segment.Length; offset += ChunkElements)
                _mesh.Receive(socket, _sum.AsSpan(segment.Start + offset, Math.Min(ChunkElements, segment.Length - offset)));
        }

        private int OwnedBy(int rank) => _mesh._pattern == MeshPattern.RingReduceScatter ? (rank + 1) % World : rank;

        private (int Start, int Length) Segment(int k) => RawSockets.Segment(k, _values.Length, World);

        private int Chunks(int segment) => (Segment(segment).Length + ChunkElements - 1) / ChunkElements;
    }

    private void Receive(Socket socket, Span<float> values) => RawSockets.ReceiveExactly(socket, values, $"rank {_rank}");

    /// <summary>Counters under one lock, each waited for by other threads.</summary>
    private sealed class Counts(int count)
    {
        private readonly long[] _counts = new long[count];

        public void Add(int index) => Locked(() => { }, index);

        /// <summary>Runs <paramref name="action"/> under the lock, then counts one at <paramref name="index"/> (none when negative).</summary>
        public void Locked(Action action, int index)
        {
            lock (_counts)
            {
                action();
                if (index < 0) return;
                _counts[index]++;
                Monitor.PulseAll(_counts);
            }
        }

        public void WaitFor(int index, long count)
        {
            lock (_counts)
                while (_counts[index] < count) Monitor.Wait(_counts);
        }
    }
}
