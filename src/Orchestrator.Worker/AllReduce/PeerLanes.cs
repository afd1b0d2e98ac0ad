using System.Collections.Concurrent;
using Orchestrator.Transport.Lanes;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Push lanes to peers' push endpoints, pooled per address and shared by every exchange, all with the cluster's bearer
/// token: an exchange takes one lane per peer it sends to and gives it back once its call ended cleanly, so the next
/// step reuses the connection; a lane whose call failed is closed instead.
/// </summary>
public sealed class PeerLanes(PushLaneOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<Uri, ConcurrentBag<PushLane>> _idle = new();
    private volatile bool _disposed;

    /// <summary>An idle lane to <paramref name="address"/>, or a new one.</summary>
    public PushLane Take(Uri address, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryGetValue(address, out ConcurrentBag<PushLane>? idle))
            while (idle.TryTake(out PushLane? lane))
            {
                if (lane.IsUsable) return lane;
                lane.Dispose();
            }
        return PushLane.Connect(address, options, cancellationToken);
    }

    /// <summary>Gives back a lane whose last call ended cleanly; <paramref name="clean"/> false closes it.</summary>
    public void Return(Uri address, PushLane lane, bool clean)
    {
        if (!clean || !lane.IsUsable || _disposed)
        {
            lane.Dispose();
            return;
        }
        _idle.GetOrAdd(address, _ => []).Add(lane);
        // Disposed meanwhile: nobody else will close it.
        if (_disposed) Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (ConcurrentBag<PushLane> idle in _idle.Values)
            while (idle.TryTake(out PushLane? lane)) lane.Dispose();
    }
}
