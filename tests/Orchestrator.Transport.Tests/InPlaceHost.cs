using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;

namespace Orchestrator.Transport.Tests;

/// <summary>Digest served in place: by Kestrel's in-place connections (with the usual bindings beside), or by a lane server of its own.</summary>
internal sealed class InPlaceHost(TestServerHost? kestrel, InPlaceLaneServer? lane) : IAsyncDisposable
{
    public Uri Address => kestrel?.Server.Address ?? lane!.Address;

    public static async Task<InPlaceHost> StartAsync(InPlaceDigests digests, GrpcServerOptions options, bool laneServer)
    {
        options.InPlaceMethods.Add(InPlaceClientStreamingMethod.Create(TestMethods.Digest, digests.Open));
        return laneServer ? new InPlaceHost(null, new InPlaceLaneServer(options)) : new InPlaceHost(await TestServerHost.StartAsync(options), null);
    }

    public async ValueTask DisposeAsync()
    {
        if (kestrel is not null) await kestrel.DisposeAsync();
        lane?.Dispose();
    }
}
