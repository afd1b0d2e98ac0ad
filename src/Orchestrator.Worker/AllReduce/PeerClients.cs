using System.Collections.Concurrent;
using Orchestrator.Transport.Client;

namespace Orchestrator.Worker.AllReduce;

/// <summary>One gRPC channel per peer address, shared by every exchange; all carry the cluster's bearer token.</summary>
public sealed class PeerClients(GrpcChannelOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();

    public CallInvoker For(Uri address) => _channels.GetOrAdd(address, a => new GrpcChannel(a, options)).CreateCallInvoker();

    public void Dispose()
    {
        foreach (GrpcChannel channel in _channels.Values) channel.Dispose();
        _channels.Clear();
    }
}
