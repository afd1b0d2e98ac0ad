using System.Security.Cryptography;
using Google.Protobuf;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Worker;

/// <summary>Moves a run's matching state between workers as a checksummed stream of checkpoint chunks.</summary>
public static class StateTransfer
{
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Serves <see cref="WorkerMethods.FetchState"/> from the replica; FAILED_PRECONDITION if it is behind.</summary>
    public static async Task SendAsync(RunReplica? replica, FetchStateRequest request, IAsyncStreamWriter<CheckpointChunk> responses, CancellationToken cancellation)
    {
        if (replica is null) throw new RpcException(new Status(StatusCode.FailedPrecondition, $"this worker holds no copy of run {request.RunId}"));
        string path = Path.Combine(Path.GetTempPath(), $"orchestrator-state-{Guid.NewGuid():N}.safetensors");
        try
        {
            long version = await replica.SaveStateAsync(path, cancellation);
            if (version < request.MinVersion)
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"run {request.RunId} is at version {version} here, behind {request.MinVersion}"));
            byte[] bytes = await File.ReadAllBytesAsync(path, cancellation);
            int chunk = request.ChunkBytes > 0 ? Math.Min(request.ChunkBytes, ChunkBytes) : ChunkBytes;
            var reference = new CheckpointRef { RunId = request.RunId, Kind = CheckpointKind.Run, Step = version, CheckpointId = $"state-{version}" };
            for (int offset = 0; offset < bytes.Length || offset == 0; offset += chunk)
            {
                int count = Math.Min(chunk, bytes.Length - offset);
                var message = new CheckpointChunk { Checkpoint = reference, Offset = offset, TotalBytes = bytes.Length, Data = ByteString.CopyFrom(bytes, offset, count) };
                if (offset + count >= bytes.Length) message.Sha256 = ByteString.CopyFrom(SHA256.HashData(bytes));
                await responses.WriteAsync(message);
                if (bytes.Length == 0) break;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Asks each peer in turn for the run's state at <paramref name="minVersion"/> or later and loads the first that
    /// arrives whole. False if no peer has it.
    /// </summary>
    public static async Task<bool> FetchAsync(RunReplica replica, IEnumerable<ExchangeMember> peers, long minVersion, PeerClients clients, CancellationToken cancellation)
    {
        foreach (ExchangeMember peer in peers)
        {
            string path = Path.Combine(Path.GetTempPath(), $"orchestrator-state-{Guid.NewGuid():N}.safetensors");
            try
            {
                await ReceiveAsync(clients.For(peer.Address), new FetchStateRequest { RunId = replica.RunId, MinVersion = minVersion }, path, cancellation);
                await replica.LoadStateAsync(path, cancellation);
                return true;
            }
            catch (Exception e) when (e is RpcException or InvalidDataException or HttpRequestException)
            {
                // This peer is behind, gone, or sent a damaged file: try the next.
            }
            finally
            {
                File.Delete(path);
            }
        }
        return false;
    }

    private static async Task ReceiveAsync(CallInvoker invoker, FetchStateRequest request, string path, CancellationToken cancellation)
    {
        using var call = invoker.AsyncServerStreamingCall(WorkerMethods.FetchState, request, new CallOptions(CancellationToken: cancellation));
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long expected = -1;
            byte[]? digest = null;
            await foreach (CheckpointChunk chunk in call.ResponseStream.ReadAllAsync(cancellation))
            {
                if (chunk.Offset != file.Position) throw new InvalidDataException($"state chunk at byte {chunk.Offset}, expected {file.Position}");
                expected = chunk.TotalBytes;
                hash.AppendData(chunk.Data.Span);
                await file.WriteAsync(chunk.Data.Memory, cancellation);
                if (!chunk.Sha256.IsEmpty) digest = chunk.Sha256.ToByteArray();
            }
            if (file.Position != expected) throw new InvalidDataException($"state of run {request.RunId} ended at byte {file.Position} of {expected}");
            if (digest is null || !hash.GetHashAndReset().AsSpan().SequenceEqual(digest))
                throw new InvalidDataException($"state of run {request.RunId} does not match its SHA-256");
        }
    }
}
